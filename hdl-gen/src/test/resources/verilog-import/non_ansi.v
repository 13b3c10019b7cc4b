/* A Verilog-1995 style header: the port list names the ports, the body declares them. */
module non_ansi_counter (clk, reset, enable, count, wrapped);
  parameter WIDTH = 4;
  parameter LIMIT = (1 << WIDTH) - 1;
  localparam TOP = WIDTH - 1;

  input clk;
  input reset, enable;
  output [TOP:0] count;
  output wrapped;
  reg [TOP:0] count;

  function [TOP:0] next;       // its 'input' is not a port of the module
    input [TOP:0] value;
    next = value + 1'b1;
  endfunction

  always @(posedge clk)
    if (reset) count <= 0;
    else if (enable) count <= (count == LIMIT) ? 0 : next(count);
  assign wrapped = enable && count == LIMIT;
endmodule
