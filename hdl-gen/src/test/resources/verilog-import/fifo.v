// A hand-written first-word-fall-through FIFO with valid/ready on both sides (the importer's example).
`timescale 1ns / 1ps
`default_nettype none

module fifo #(
  parameter integer WIDTH = 8,
  parameter integer DEPTH = 16  // a power of two
) (
  input  wire                   clk,
  input  wire                   rst,
  input  wire                   in_valid,
  output wire                   in_ready,
  input  wire [WIDTH-1:0]       in_data,
  output wire                   out_valid,
  input  wire                   out_ready,
  output wire [WIDTH-1:0]       out_data,
  output wire [$clog2(DEPTH):0] level      // words held, 0 to DEPTH
);
  localparam integer ADDR = $clog2(DEPTH);
  localparam [ADDR:0] FULL = 1 << ADDR;

  reg [WIDTH-1:0] words [0:DEPTH-1];
  reg [ADDR:0] head;  // one bit more than an address: full and empty differ
  reg [ADDR:0] tail;

  wire push = in_valid & in_ready;
  wire pop = out_valid & out_ready;

  assign level = tail - head;
  assign in_ready = level != FULL;
  assign out_valid = |level;
  assign out_data = words[head[ADDR-1:0]];

  always @(posedge clk) begin
    if (push) words[tail[ADDR-1:0]] <= in_data;
    if (rst) begin
      head <= {(ADDR + 1){1'b0}};
      tail <= {(ADDR + 1){1'b0}};
    end else begin
      if (push) tail <= tail + 1'b1;
      if (pop) head <= head + 1'b1;
    end
  end
endmodule

`default_nettype wire
