// An ANSI header: parameters with expressions, signed ports, several types.
`timescale 1ns / 1ps
`define ADDR_BITS 6

(* keep_hierarchy = "yes" *)
module ansi_alu #(
  parameter integer WIDTH = 8,            // data width
  parameter         LANES = 2,
  parameter [3:0]   MODE  = 4'b0101,
  localparam        TOTAL = WIDTH * LANES // every lane's bits
) (
  input  wire                    clk,
  input  wire                    rst_n,
  input  wire [TOTAL-1:0]        a, b,     // b inherits a's shape
  input  wire signed [WIDTH-1:0] bias,
  input  wire [`ADDR_BITS-1:0]   addr,
  output reg  [TOTAL:0]          sum,
  output wire signed [2*WIDTH-1:0] product,
  output wire [$clog2(LANES+1)-1:0] count,
  output wire [0:3]              nibble
);
  always @(*) sum = a + b;
  assign product = bias * bias;
  assign count = 0;
  assign nibble = MODE;
endmodule
