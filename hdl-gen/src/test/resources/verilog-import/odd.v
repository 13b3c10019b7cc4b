// Comments and attributes in odd places, several modules in one file, SystemVerilog types.
`ifdef NARROW
  `define W 4
`else
  `define W 16
`endif
`define MAX(a, b) ((a) > (b) ? (a) : (b))

package odd_pkg;
  localparam int DEPTH = 4;
  function automatic int twice(input int x); return 2 * x; endfunction
endpackage

(* dont_touch = "true" *) module /* name next */ odd_first
  #(parameter int /* a type */ N = `W, parameter string NAME = "first")
  (input logic /* clock */ clk,
   (* mark_debug = "true" *) input logic [N-1:0] /* data */ d,
   output logic [`MAX(N, 8)-1:0] q, // the wider of N and 8
   output var logic signed [7:0] s,
   output int i);
  always_ff @(posedge clk) q <= d;
  assign s = '0;
  assign i = 0;
endmodule : odd_first

module odd_second (
  input  bit [1:0][3:0] packed2d,
  output logic          y
);
  // A body that only needs to be skipped: "input" in a string, begin/end, a case.
  initial $display("input output module %d", 1);
  always_comb begin
    case (packed2d[0]) 4'd1: y = 1'b1; default: y = 1'b0; endcase
  end
endmodule

module odd_empty;
endmodule
