// TeLLMe-J: AXI4 protocol properties of a master port (docs/verification.md).
//
// Written for this project from the AXI4 specification (ARM IHI 0022, sections A3.1 to A3.4). It watches one
// master port: it ASSERTS what the master must do and ASSUMES what any legal slave may do, so a proof holds
// against every slave, however it stalls. Every property is an immediate assert or assume, evaluated each
// cycle against the previous cycle's values that this module registers itself (prev_*), so the file reads the
// same in any tool. The formal flow (AxiProtocolHarness, YosysFormal) places one instance beside each master
// port of the design under test; "read_verilog -formal" reads it, simulators never see it.
//
// Beyond AXI4 the project asks two things of its masters, both stated below: write data follows its address
// (AXI also allows it first), and at most MAX_BURSTS bursts are in flight per direction. IDs are not checked:
// every project master uses one ID, so responses come back in order.
`default_nettype none

module tellme_axi4_master_check #(
  parameter ADDR_W = 64,
  parameter DATA_W = 64,
  parameter ID_W = 1,
  parameter MAX_BURSTS = 4   // bursts in flight per direction the master may have (and the checker tracks)
) (
  input wire              clk,
  input wire              reset,        // active high, synchronous
  input wire              awvalid,
  input wire              awready,
  input wire [ADDR_W-1:0] awaddr,
  input wire [7:0]        awlen,
  input wire [2:0]        awsize,
  input wire [1:0]        awburst,
  input wire [ID_W-1:0]   awid,
  input wire              wvalid,
  input wire              wready,
  input wire [DATA_W-1:0] wdata,
  input wire [DATA_W/8-1:0] wstrb,
  input wire              wlast,
  input wire              bvalid,
  input wire              bready,
  input wire [1:0]        bresp,
  input wire              arvalid,
  input wire              arready,
  input wire [ADDR_W-1:0] araddr,
  input wire [7:0]        arlen,
  input wire [2:0]        arsize,
  input wire [1:0]        arburst,
  input wire [ID_W-1:0]   arid,
  input wire              rvalid,
  input wire              rready,
  input wire [DATA_W-1:0] rdata,
  input wire [1:0]        rresp,
  input wire              rlast
);
  localparam FULL_SIZE = $clog2(DATA_W / 8);
  localparam PTR_W = MAX_BURSTS > 1 ? $clog2(MAX_BURSTS) : 1;
  localparam CNT_W = $clog2(MAX_BURSTS + 1) + 1;

  // ---- the previous cycle ----
  reg              first = 1'b1;     // the first cycle of the trace: reset is applied
  reg              prev_reset;
  reg              prev_aw_wait, prev_w_wait, prev_ar_wait, prev_b_wait, prev_r_wait;
  reg [ADDR_W-1:0] prev_awaddr, prev_araddr;
  reg [7:0]        prev_awlen, prev_arlen;
  reg [2:0]        prev_awsize, prev_arsize;
  reg [1:0]        prev_awburst, prev_arburst;
  reg [ID_W-1:0]   prev_awid, prev_arid;
  reg [DATA_W-1:0] prev_wdata, prev_rdata;
  reg [DATA_W/8-1:0] prev_wstrb;
  reg              prev_wlast, prev_rlast;
  reg [1:0]        prev_bresp, prev_rresp;

  always @(posedge clk) begin
    first <= 1'b0;
    prev_reset <= reset;
    prev_aw_wait <= awvalid && !awready && !reset;
    prev_w_wait <= wvalid && !wready && !reset;
    prev_ar_wait <= arvalid && !arready && !reset;
    prev_b_wait <= bvalid && !bready && !reset;
    prev_r_wait <= rvalid && !rready && !reset;
    prev_awaddr <= awaddr; prev_awlen <= awlen; prev_awsize <= awsize; prev_awburst <= awburst; prev_awid <= awid;
    prev_araddr <= araddr; prev_arlen <= arlen; prev_arsize <= arsize; prev_arburst <= arburst; prev_arid <= arid;
    prev_wdata <= wdata; prev_wstrb <= wstrb; prev_wlast <= wlast;
    prev_bresp <= bresp;
    prev_rdata <= rdata; prev_rresp <= rresp; prev_rlast <= rlast;
  end

  // ---- bursts in flight ----
  wire aw_fire = awvalid && awready;
  wire w_fire = wvalid && wready;
  wire b_fire = bvalid && bready;
  wire ar_fire = arvalid && arready;
  wire r_fire = rvalid && rready;

  // Reads: the lengths of accepted bursts whose last beat has not arrived, oldest first.
  reg [7:0]       read_len [0:MAX_BURSTS-1];
  reg [PTR_W-1:0] read_head, read_tail;
  reg [CNT_W-1:0] reads;             // bursts in flight
  reg [7:0]       read_beat;         // beats of the oldest burst received so far
  wire [7:0]      read_len_head = read_len[read_head];

  // Writes: the lengths of accepted bursts whose last data beat has not gone out, oldest first; then the
  // bursts whose data is complete and whose response has not come back.
  reg [7:0]       write_len [0:MAX_BURSTS-1];
  reg [PTR_W-1:0] write_head, write_tail;
  reg [CNT_W-1:0] writes_data;       // bursts addressed, data not complete
  reg [CNT_W-1:0] writes_response;   // bursts complete, response not received
  reg [7:0]       write_beat;        // beats of the oldest burst sent so far
  wire [7:0]      write_len_head = write_len[write_head];

  function [PTR_W-1:0] next_ptr(input [PTR_W-1:0] p);
    next_ptr = (p == MAX_BURSTS - 1) ? {PTR_W{1'b0}} : p + 1'b1;
  endfunction

  wire read_done = r_fire && rlast;
  wire write_data_done = w_fire && wlast;

  always @(posedge clk) begin
    if (reset) begin
      read_head <= 0; read_tail <= 0; reads <= 0; read_beat <= 0;
      write_head <= 0; write_tail <= 0; writes_data <= 0; writes_response <= 0; write_beat <= 0;
    end else begin
      if (ar_fire) begin
        read_len[read_tail] <= arlen;
        read_tail <= next_ptr(read_tail);
      end
      if (r_fire) begin
        read_beat <= rlast ? 8'd0 : read_beat + 8'd1;
        if (rlast) read_head <= next_ptr(read_head);
      end
      reads <= reads + (ar_fire ? 1'b1 : 1'b0) - (read_done ? 1'b1 : 1'b0);

      if (aw_fire) begin
        write_len[write_tail] <= awlen;
        write_tail <= next_ptr(write_tail);
      end
      if (w_fire) begin
        write_beat <= wlast ? 8'd0 : write_beat + 8'd1;
        if (wlast) write_head <= next_ptr(write_head);
      end
      writes_data <= writes_data + (aw_fire ? 1'b1 : 1'b0) - (write_data_done ? 1'b1 : 1'b0);
      writes_response <= writes_response + (write_data_done ? 1'b1 : 1'b0) - (b_fire ? 1'b1 : 1'b0);
    end
  end

  // ---- burst geometry (A3.4.1) ----
  // The last byte of an INCR burst stays in the 4 KB page of its first: the aligned start's offset in the page
  // plus the burst's bytes must not pass 4096.
  function automatic burst_in_page(input [11:0] offset, input [7:0] len, input [2:0] size);
    reg [11:0] aligned;
    reg [16:0] end_byte;
    begin
      aligned = (offset >> size) << size;
      end_byte = {5'd0, aligned} + (({9'd0, len} + 17'd1) << size);
      burst_in_page = end_byte <= 17'd4096;
    end
  endfunction

  function automatic wrap_ok(input [11:0] offset, input [7:0] len, input [2:0] size);
    begin
      wrap_ok = (len == 8'd1 || len == 8'd3 || len == 8'd7 || len == 8'd15)
          && ((offset & ((12'd1 << size) - 12'd1)) == 12'd0);
    end
  endfunction

  always @* begin
    if (first) begin
      initial_reset: assume (reset);
    end
    if (!first && !reset) begin
      // Reset (A3.1.2): in reset, and in the first cycle after it, the master keeps its valids low; so does
      // the slave.
      if (prev_reset) begin
        a3_1_2_reset_awvalid_low: assert (!awvalid);
        a3_1_2_reset_wvalid_low: assert (!wvalid);
        a3_1_2_reset_arvalid_low: assert (!arvalid);
        a3_1_2_reset_bvalid_low: assume (!bvalid);
        a3_1_2_reset_rvalid_low: assume (!rvalid);
      end

      // Handshakes (A3.2.1): once VALID is high it stays high, with its payload unchanged, until READY.
      if (prev_aw_wait) begin
        a3_2_1_awvalid_held: assert (awvalid);
        a3_2_1_aw_payload_stable: assert (awaddr == prev_awaddr && awlen == prev_awlen && awsize == prev_awsize
            && awburst == prev_awburst && awid == prev_awid);
      end
      if (prev_w_wait) begin
        a3_2_1_wvalid_held: assert (wvalid);
        a3_2_1_w_payload_stable: assert (wdata == prev_wdata && wstrb == prev_wstrb && wlast == prev_wlast);
      end
      if (prev_ar_wait) begin
        a3_2_1_arvalid_held: assert (arvalid);
        a3_2_1_ar_payload_stable: assert (araddr == prev_araddr && arlen == prev_arlen && arsize == prev_arsize
            && arburst == prev_arburst && arid == prev_arid);
      end
      if (prev_b_wait) begin
        a3_2_1_bvalid_held: assume (bvalid);
        a3_2_1_b_payload_stable: assume (bresp == prev_bresp);
      end
      if (prev_r_wait) begin
        a3_2_1_rvalid_held: assume (rvalid);
        a3_2_1_r_payload_stable: assume (rdata == prev_rdata && rresp == prev_rresp && rlast == prev_rlast);
      end

      // Bursts (A3.4.1): a defined burst type, beats no wider than the bus, WRAP of 2/4/8/16 aligned beats,
      // FIXED of at most 16, and no burst crossing a 4 KB boundary.
      if (arvalid) begin
        a3_4_1_ar_burst_type: assert (arburst != 2'b11);
        a3_4_1_ar_size_fits_bus: assert (arsize <= FULL_SIZE);
        a3_4_1_ar_fixed_len: assert (arburst != 2'b00 || arlen <= 8'd15);
        a3_4_1_ar_wrap_len: assert (arburst != 2'b10 || wrap_ok(araddr[11:0], arlen, arsize));
        a3_4_1_ar_no_4k_cross: assert (arburst != 2'b01 || burst_in_page(araddr[11:0], arlen, arsize));
      end
      if (awvalid) begin
        a3_4_1_aw_burst_type: assert (awburst != 2'b11);
        a3_4_1_aw_size_fits_bus: assert (awsize <= FULL_SIZE);
        a3_4_1_aw_fixed_len: assert (awburst != 2'b00 || awlen <= 8'd15);
        a3_4_1_aw_wrap_len: assert (awburst != 2'b10 || wrap_ok(awaddr[11:0], awlen, awsize));
        a3_4_1_aw_no_4k_cross: assert (awburst != 2'b01 || burst_in_page(awaddr[11:0], awlen, awsize));
      end

      // Write data (A3.4.x, WLAST): the master sets WLAST on the final beat of each burst and only there.
      // Project rule: a burst's data goes out after its address was accepted.
      if (wvalid) begin
        project_w_follows_aw: assert (writes_data != 0);
        a3_4_wlast_on_final_beat: assert (writes_data == 0 || wlast == (write_beat == write_len_head));
      end

      // Project rule: no more than MAX_BURSTS bursts in flight per direction.
      if (ar_fire) begin
        project_reads_in_flight: assert (reads < MAX_BURSTS);
      end
      if (aw_fire) begin
        project_writes_in_flight: assert (writes_data + writes_response < MAX_BURSTS);
      end

      // Responses (A3.3.1): read data only for an accepted read, RLAST on its final beat; a write response
      // only after the burst's address and its last data beat.
      if (rvalid) begin
        a3_3_1_r_only_when_outstanding: assume (reads != 0);
        a3_4_rlast_on_final_beat: assume (rlast == (read_beat == read_len_head));
      end
      if (bvalid) begin
        a3_3_1_b_only_after_last_w: assume (writes_response != 0);
      end
    end
  end
endmodule

`default_nettype wire
