interface bus_if;
  logic valid;
  modport master (output valid);
endinterface

module uses_interface (
  input logic clk,
  bus_if.master bus
);
endmodule

module uses_array (
  input logic [7:0] lanes [0:3],
  output logic y
);
endmodule

module fine (input logic a, output logic y);
  assign y = a;
endmodule

module needs_function #(parameter DEPTH = 16) (
  input  wire [clog2(DEPTH)-1:0] address,
  output wire [UNKNOWN-1:0]      data
);
endmodule
