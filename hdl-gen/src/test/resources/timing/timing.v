// Test input of TimingAnalysisTest: small designs whose logic depth is known. The '// X.java:N' comments stand
// for the generator's source references.

// A chain of five LUT2s, instantiated so that ABC cannot merge them: exactly five LUT levels.
module LutChain (
  input  wire       clk,
  input  wire [5:0] in,
  output wire       out
);
  reg  [5:0] r;  // LutChain.java:10
  reg        y;  // LutChain.java:11
  wire [5:0] s;
  assign s[0] = r[0];
  genvar i;
  generate for (i = 1; i < 6; i = i + 1) begin : stage
    LUT2 #(.INIT(4'h6)) x (.I0(s[i-1]), .I1(r[i]), .O(s[i]));
  end endgenerate
  always @(posedge clk) begin
    r <= in;
    y <= s[5];
  end
  assign out = y;
endmodule

module Adder (
  input  wire        clk,
  input  wire [15:0] a,
  input  wire [15:0] b,
  output wire [15:0] s
);
  reg [15:0] ra;  // Adder.java:20
  reg [15:0] rb;  // Adder.java:21
  reg [15:0] rs;  // Adder.java:22
  always @(posedge clk) begin
    ra <= a;
    rb <= b;
    rs <= ra + rb;
  end
  assign s = rs;
endmodule

module Xor2 (input wire a, input wire b, output wire y);
  LUT2 #(.INIT(4'h6)) x (.I0(a), .I1(b), .O(y));
endmodule

module Capture (input wire clk, input wire d, input wire e, output wire q);
  reg held;  // Capture.java:30
  wire t;
  LUT2 #(.INIT(4'h6)) x (.I0(d), .I1(e), .O(t));
  always @(posedge clk) held <= t;
  assign q = held;
endmodule

// Registers, through two Xor2 instances, into a third instance's register: three LUT levels across modules.
module Stitched (input wire clk, input wire [2:0] in, input wire e, output wire out);
  reg [2:0] p;  // Stitched.java:40
  wire u, v;
  Xor2 first (.a(p[0]), .b(p[1]), .y(u));
  Xor2 second (.a(u), .b(p[2]), .y(v));
  Capture last (.clk(clk), .d(v), .e(e), .q(out));
  always @(posedge clk) p <= in;
endmodule

module Mul (input wire clk, input wire [15:0] a, input wire [15:0] b, output wire [31:0] p);
  reg [15:0] ra, rb;
  reg [31:0] m, q;
  always @(posedge clk) begin
    ra <= a; rb <= b;
    m <= ra * rb;
    q <= m;
  end
  assign p = q;
endmodule

module MulAdd (input wire clk, input wire [15:0] a, input wire [15:0] b, input wire [31:0] c, output wire [31:0] y);
  reg [15:0] ra, rb;
  reg [31:0] rc, ry;  // MulAdd.java:60
  always @(posedge clk) begin
    ra <= a; rb <= b; rc <= c;
    ry <= ra * rb + rc;
  end
  assign y = ry;
endmodule

module Ram (input wire clk, input wire we, input wire [9:0] wa, input wire [9:0] ra, input wire [31:0] d,
            output wire [31:0] q);
  reg [31:0] mem [0:1023];  // Ram.java:70
  reg [31:0] rq;
  reg [31:0] x;             // Ram.java:72
  always @(posedge clk) begin
    if (we) mem[wa] <= d;
    rq <= mem[ra];
    x <= rq + 32'd1;
  end
  assign q = x;
endmodule

module Top (input wire clk, input wire [5:0] in, input wire e, input wire [15:0] a, input wire [15:0] b,
            input wire [31:0] c, input wire we, input wire [9:0] wa, input wire [9:0] ra, input wire [31:0] d,
            output wire o1, output wire [15:0] o2, output wire o3, output wire [31:0] o4, output wire [31:0] o5,
            output wire [31:0] o6);
  LutChain chain (.clk(clk), .in(in), .out(o1));
  Adder adder (.clk(clk), .a(a), .b(b), .s(o2));
  Stitched stitched (.clk(clk), .in(in[2:0]), .e(e), .out(o3));
  Mul mul (.clk(clk), .a(a), .b(b), .p(o4));
  MulAdd muladd (.clk(clk), .a(a), .b(b), .c(c), .y(o5));
  Ram ram (.clk(clk), .we(we), .wa(wa), .ra(ra), .d(d), .q(o6));
endmodule
