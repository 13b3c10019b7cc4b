module broken #(parameter W = 8) (
  input  wire [W-1:0] a
  output wire [W-1:0] y
);
endmodule
