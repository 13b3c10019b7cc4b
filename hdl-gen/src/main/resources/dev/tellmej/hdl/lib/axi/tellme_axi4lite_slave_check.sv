// TeLLMe-J: AXI4-Lite protocol properties of a slave port (docs/verification.md).
//
// Written for this project from the AXI4-Lite part of the AXI specification (ARM IHI 0022, chapter B1, which
// keeps A3's handshake and dependency rules). It watches one slave port: it ASSERTS what the slave must do
// and ASSUMES what any legal master may do. Every property is an immediate assert or assume evaluated against
// the previous cycle's values this module registers itself (prev_*). The formal flow (AxiProtocolHarness,
// YosysFormal) places one instance beside each AXI4-Lite slave port of the design under test.
//
// Project rule: the slave has at most MAX_PENDING writes and MAX_PENDING reads accepted and not yet answered
// (the register bank: one of each), which also keeps this checker's counters finite for an unbounded proof.
`default_nettype none

module tellme_axi4lite_slave_check #(
  parameter ADDR_W = 12,
  parameter MAX_PENDING = 1
) (
  input wire              clk,
  input wire              reset,        // active high, synchronous
  input wire              awvalid,
  input wire              awready,
  input wire [ADDR_W-1:0] awaddr,
  input wire              wvalid,
  input wire              wready,
  input wire [31:0]       wdata,
  input wire [3:0]        wstrb,
  input wire              bvalid,
  input wire              bready,
  input wire [1:0]        bresp,
  input wire              arvalid,
  input wire              arready,
  input wire [ADDR_W-1:0] araddr,
  input wire              rvalid,
  input wire              rready,
  input wire [31:0]       rdata,
  input wire [1:0]        rresp
);
  localparam CNT_W = $clog2(MAX_PENDING + 1) + 1;

  reg              first = 1'b1;
  reg              prev_reset;
  reg              prev_aw_wait, prev_w_wait, prev_ar_wait, prev_b_wait, prev_r_wait;
  reg [ADDR_W-1:0] prev_awaddr, prev_araddr;
  reg [31:0]       prev_wdata, prev_rdata;
  reg [3:0]        prev_wstrb;
  reg [1:0]        prev_bresp, prev_rresp;

  always @(posedge clk) begin
    first <= 1'b0;
    prev_reset <= reset;
    prev_aw_wait <= awvalid && !awready && !reset;
    prev_w_wait <= wvalid && !wready && !reset;
    prev_ar_wait <= arvalid && !arready && !reset;
    prev_b_wait <= bvalid && !bready && !reset;
    prev_r_wait <= rvalid && !rready && !reset;
    prev_awaddr <= awaddr; prev_araddr <= araddr;
    prev_wdata <= wdata; prev_wstrb <= wstrb; prev_rdata <= rdata;
    prev_bresp <= bresp; prev_rresp <= rresp;
  end

  // ---- transactions accepted and not yet answered ----
  wire aw_fire = awvalid && awready;
  wire w_fire = wvalid && wready;
  wire b_fire = bvalid && bready;
  wire ar_fire = arvalid && arready;
  wire r_fire = rvalid && rready;
  reg [CNT_W-1:0] write_addresses;   // AW accepted, response not yet sent
  reg [CNT_W-1:0] write_data;        // W accepted, response not yet sent
  reg [CNT_W-1:0] reads;             // AR accepted, data not yet sent

  always @(posedge clk) begin
    if (reset) begin
      write_addresses <= 0; write_data <= 0; reads <= 0;
    end else begin
      write_addresses <= write_addresses + (aw_fire ? 1'b1 : 1'b0) - (b_fire ? 1'b1 : 1'b0);
      write_data <= write_data + (w_fire ? 1'b1 : 1'b0) - (b_fire ? 1'b1 : 1'b0);
      reads <= reads + (ar_fire ? 1'b1 : 1'b0) - (r_fire ? 1'b1 : 1'b0);
    end
  end

  always @* begin
    if (first) begin
      initial_reset: assume (reset);
    end
    if (!first && !reset) begin
      // Reset (A3.1.2): in reset and the cycle after, the master keeps its valids low, the slave its own.
      if (prev_reset) begin
        a3_1_2_reset_awvalid_low: assume (!awvalid);
        a3_1_2_reset_wvalid_low: assume (!wvalid);
        a3_1_2_reset_arvalid_low: assume (!arvalid);
        a3_1_2_reset_bvalid_low: assert (!bvalid);
        a3_1_2_reset_rvalid_low: assert (!rvalid);
      end

      // Handshakes (A3.2.1): VALID, once high, stays high with its payload unchanged until READY.
      if (prev_aw_wait) begin
        a3_2_1_awvalid_held: assume (awvalid);
        a3_2_1_aw_payload_stable: assume (awaddr == prev_awaddr);
      end
      if (prev_w_wait) begin
        a3_2_1_wvalid_held: assume (wvalid);
        a3_2_1_w_payload_stable: assume (wdata == prev_wdata && wstrb == prev_wstrb);
      end
      if (prev_ar_wait) begin
        a3_2_1_arvalid_held: assume (arvalid);
        a3_2_1_ar_payload_stable: assume (araddr == prev_araddr);
      end
      if (prev_b_wait) begin
        a3_2_1_bvalid_held: assert (bvalid);
        a3_2_1_b_payload_stable: assert (bresp == prev_bresp);
      end
      if (prev_r_wait) begin
        a3_2_1_rvalid_held: assert (rvalid);
        a3_2_1_r_payload_stable: assert (rdata == prev_rdata && rresp == prev_rresp);
      end

      // Dependencies (A3.3.1): a write response only once both the address and the data of that write were
      // accepted; read data only for an accepted address.
      if (bvalid) begin
        a3_3_1_b_after_aw_and_w: assert (write_addresses != 0 && write_data != 0);
      end
      if (rvalid) begin
        a3_3_1_r_after_ar: assert (reads != 0);
      end

      // Project rule: at most MAX_PENDING writes and reads accepted and unanswered.
      project_writes_pending: assert (write_addresses <= MAX_PENDING && write_data <= MAX_PENDING);
      project_reads_pending: assert (reads <= MAX_PENDING);
    end
  end
endmodule

`default_nettype wire
