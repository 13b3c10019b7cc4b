# Kernel-scoped constraints of the Vitis RTL kernel 'tellme' (every build; scripts/build-xclbin).
#
# None are needed, and this file says why rather than holding constraints that would hide a real path:
#   - Clocks: a Vitis kernel takes ap_clk from the platform, and v++ constrains it at the frequency link.cfg
#     asks for (freqHz). A create_clock here would fight the platform's.
#   - Clock-domain crossings: none. Every register of the kernel runs on ap_clk (the generator elaborates
#     the kernel in one clock domain, ClockDomainConfig.VITIS_KERNEL), so there is no set_false_path or
#     set_max_delay -datapath_only to give.
#   - Reset: ap_rst_n is synchronous to ap_clk (the platform's processor-system reset drives it), and the
#     kernel samples it only on ap_clk's rising edge: an ordinary timed path.
#   - Multicycle paths: none. Every register-to-register path is meant to close in one ap_clk cycle; where
#     logic is deep (tellme report timing lists it) the fix is a register in the generator, not an exception.
#
# Were one needed, it would go here scoped to the kernel (in the IP packaging:
# set_property SCOPED_TO_REF tellme [get_files tellme-kernel.xdc]) and name cells by their generated, stable
# names, for example: set_false_path -to [get_cells -hierarchical -filter {NAME =~ */some_sync_reg[0]}]
