# The Kria KV260 in a plain Vivado flow (a block design of the Zynq UltraScale+ PS and the 'tellme' kernel,
# written to a bitstream without Vitis). Part: xck26-sfvc784-2LV-c (K26 SOM, speed grade -2, low voltage),
# chosen in the Vivado project, not here. The Vitis flow (scripts/build-xclbin) does not use this file: its
# platform already holds the carrier card's pins.
#
# Clocks: the kernel's ap_clk comes from the PS (pl_clk0) in the block design; Vivado derives that clock from
# the PS configuration, so no create_clock is given here. Set pl_clk0 to 300 MHz (or 250 MHz) in the PS
# configuration to match the build (tellme config show kv260).
#
# The carrier card's fan: its enable, fan_en_b on pin A12 (3.3 V, LVCMOS33), must be driven by the design
# (the Kria base designs drive it from the PS's TTC0 waveform output); left floating, the fan runs at full speed.
set_property PACKAGE_PIN A12 [get_ports fan_en_b]
set_property IOSTANDARD LVCMOS33 [get_ports fan_en_b]
