# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The cost phase of scripts/bench: what each qdisc's enqueue and dequeue
# cost per packet, counted rather than timed. Sourced after
# scripts/bench-lib.sh, in a VM that scripts/bench boots with
# `vm-run --icount`: the guest's clock advances one nanosecond per
# emulated instruction, so pktgen's packets/s there is 10^9 / the
# instructions one packet takes (the qdisc's and the stack's around it),
# the same on any host and in every run. The main phase's pktgen column
# times the same thing in real time, where the host's load and the
# emulation's own costs (a device read per clock read, a lookup per
# indirect jump) move the numbers by 10-15 % from run to run.
#
# Rows (COST_ROWS), each the root qdisc of the dummy device, unshaped:
# pfifo_fast (the stack alone), fq_codel, HTB with one class and an
# fq_codel leaf, CAKE (unlimited, diffserv4), mqos with its defaults (flow
# queues in every class) and mqos with one FIFO per class (`flows 0`).

COST_ROWS="cost_pfifo_fast cost_fq_codel cost_htb cost_cake cost_mqos cost_mqos_fifo"
COST_DEV=$BL_PG_DEV

# cost_sched ROW: put ROW's qdisc on the dummy device.
cost_sched() {
	local id
	tc qdisc del dev $COST_DEV root 2>/dev/null
	case "$1" in
	cost_pfifo_fast) tc qdisc add dev $COST_DEV root handle 1: pfifo_fast ;;
	cost_fq_codel) tc qdisc add dev $COST_DEV root handle 1: fq_codel ;;
	cost_htb)
		tc qdisc add dev $COST_DEV root handle 1: htb default 1 &&
		tc class add dev $COST_DEV parent 1: classid 1:1 htb rate 10gbit quantum 1514 &&
		tc qdisc add dev $COST_DEV parent 1:1 fq_codel ;;
	cost_cake) tc qdisc add dev $COST_DEV root handle 1: cake unlimited diffserv4 ;;
	cost_mqos) tc qdisc add dev $COST_DEV root handle 1: mqos ;;
	cost_mqos_fifo)
		tc qdisc add dev $COST_DEV root handle 1: mqos || return 1
		for id in $("$BL_TOOLS/mqos_tc" $COST_DEV stats | awk '$1 == "class" { print $2 }'); do
			"$BL_TOOLS/mqos_tc" $COST_DEV class "$id" flows 0 || return 1
		done ;;
	esac
}

# cost_phase REPS SECS RAW: REPS interleaved rounds of every row, SECS of
# guest time each, "kernel,rep,row,metric,value" lines appended to RAW.
cost_phase() {
	local reps=$1 secs=$2 raw=$3 kver rep s r
	kver=$(uname -r)
	bl_pktgen_setup 198.51.100.2 ||
		{ echo "# cost: pktgen not available, no cost table" >&2; return 0; }
	# One unmeasured run first: the first packets grow the slab caches.
	cost_sched cost_pfifo_fast && bl_pktgen_run "$secs" > /dev/null
	for rep in $(seq 1 "$reps"); do
		for s in $COST_ROWS; do
			if ! cost_sched "$s"; then
				echo "# cost: $s could not be set up" >&2
				continue
			fi
			r=$(bl_pktgen_run "$secs")
			echo "$kver,$rep,$s,pktgen_pps,${r% *}" >> "$raw"
			echo "$kver,$rep,$s,pktgen_errors,${r#* }" >> "$raw"
			echo "# cost rep $rep $s: ${r% *} packets/s" >&2
		done
	done
	tc qdisc del dev $COST_DEV root 2>/dev/null
	bl_pktgen_cleanup
}
