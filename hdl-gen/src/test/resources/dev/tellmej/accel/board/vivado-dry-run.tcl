# A dry run of package_kernel.tcl without Vivado, in Yosys's Tcl interpreter (VitisPackageTest).
#
# Vivado cannot be installed here, so the Vivado and IP-packager commands the script calls are replaced by
# procedures that check their arguments as far as can be told without Vivado (the files exist, an interface is
# one Vivado would infer from the ports, a register has an offset and a size) and log every call, one line each,
# to $dry_run_log. The test reads the log and checks it against the kernel's Verilog and kernel.xml. This finds
# Tcl errors (syntax, variables, quoting) and anything the script says that the kernel's ports do not back up.
#
# Set before sourcing: dry_run_log (file), inferred_interfaces (the bus interfaces Vivado infers from the top's
# port names), package_script (the script under test).

set log [open $dry_run_log w]
proc log {args} { puts $::log [join $args " "] }

proc create_project {args} {
    set part [lindex $args [expr {[lsearch $args -part] + 1}]]
    log create_project part $part
}
proc add_files {args} {
    foreach file [lindex $args end] {
        if {![file isfile $file]} { error "add_files: no such file $file" }
        log add_file [file tail $file]
    }
}
proc current_fileset {} { return sources_1 }
proc update_compile_order {args} { log update_compile_order }
proc set_property {name value object} { log set_property $name $value $object }
proc close_project {args} { log close_project }
proc package_xo {args} {
    foreach option {-xo_path -kernel_name -ip_directory -kernel_xml} {
        set at [lsearch $args $option]
        if {$at < 0} { error "package_xo: missing $option" }
        log package_xo $option [lindex $args [expr {$at + 1}]]
    }
    if {![file isfile [lindex $args [expr {[lsearch $args -kernel_xml] + 1}]]]} {
        error "package_xo: kernel.xml is missing"
    }
}

namespace eval ipx {}
proc ipx::package_project {args} {
    if {[lsearch $args -force] < 0} { error "ipx::package_project: a rerun needs -force" }
    foreach option {-root_dir -vendor -library -taxonomy} {
        set at [lsearch $args $option]
        if {$at < 0} { error "ipx::package_project: missing $option" }
        log package_project $option [lindex $args [expr {$at + 1}]]
    }
}
proc ipx::current_core {} { return core }
proc ipx::get_bus_interfaces {name args} {
    if {[lsearch -exact $::inferred_interfaces $name] >= 0} { return busif:$name }
    return {}
}
proc ipx::infer_bus_interface {name type core} {
    lappend ::inferred_interfaces $name
    log infer_bus_interface $name $type
}
proc ipx::associate_bus_interfaces {args} {
    set clock [lindex $args [expr {[lsearch $args -clock] + 1}]]
    if {[lsearch -exact $::inferred_interfaces $clock] < 0} { error "no clock interface $clock" }
    set busif [lsearch $args -busif]
    if {$busif >= 0} {
        set name [lindex $args [expr {$busif + 1}]]
        if {[lsearch -exact $::inferred_interfaces $name] < 0} { error "no bus interface $name" }
        log associate $name $clock
    } else {
        log associate_reset [lindex $args [expr {[lsearch $args -reset] + 1}]] $clock
    }
}
# Vivado may or may not have inferred these; the dry run answers "not yet", so the script must add them.
proc ipx::get_bus_parameters {name args} { return {} }
proc ipx::add_bus_parameter {name busif} { log bus_parameter $name $busif; return busparam:$name:$busif }
proc ipx::get_memory_maps {name args} { return {} }
proc ipx::add_memory_map {name core} { log memory_map $name; return memory_map:$name }
proc ipx::get_address_blocks {name args} { return {} }
proc ipx::add_address_block {name map} { log address_block $name; return block:$name }
proc ipx::add_register {name block} { return register:$name }
proc ipx::add_register_parameter {name register} { return $register:$name }
proc ipx::create_xgui_files {core} { log create_xgui_files }
proc ipx::update_checksums {core} { log update_checksums }
proc ipx::check_integrity {args} { log check_integrity {*}[lrange $args 0 end-1] }
proc ipx::save_core {core} { log save_core }

source $package_script
close $log
