# SPDX-License-Identifier: GPL-2.0
#
# Leak checks and tool building for the reliability tests (hostile_packets,
# genl_fuzz, faults_under_traffic, memory_bounds). Sourced after lib.sh.
#
#   leak_snapshot            remember slab usage now (after dropping caches)
#   leak_check_slab [KB]     KTAP result: Slab within KB (default 4096) of the
#                            snapshot and skbuff_head_cache back to baseline
#   leak_check_module        KTAP result: refcount back to 0, rmmod succeeds
#   leak_kmemleak            KTAP result on kernels with kmemleak (debug
#                            kernel), SKIP elsewhere
#   rel_tool NAME            build selftests/NAME.c into $REL_BIN (once),
#                            unless a built selftests/NAME exists
#   mqos_malformed           the netns's malformed MQTT/MQTT-SN counter
#                            (mqosctl stats -j in the gateway), or "" if
#                            no control plane answers

REL_BIN=${REL_BIN:-}

rel_tool() {
	local t=$1
	if [ -z "$REL_BIN" ]; then
		REL_BIN=$(mktemp -d /tmp/mqos-rel.XXXXXX)
	fi
	if [ -x "$SELFTESTS_DIR/$t" ]; then
		cp "$SELFTESTS_DIR/$t" "$REL_BIN/$t"
	elif [ ! -x "$REL_BIN/$t" ]; then
		${CC:-gcc} -O2 -Wall -Wextra -o "$REL_BIN/$t" "$SELFTESTS_DIR/$t.c" || return 1
	fi
}

rel_tools_cleanup() {
	case "$REL_BIN" in /tmp/mqos-rel.*) rm -rf "$REL_BIN" ;; esac
}

# mqosctl: the built one in the repository, else the installed one.
mqosctl_bin() {
	if [ -x "$REPO_DIR/userspace/mqosctl" ]; then
		echo "$REPO_DIR/userspace/mqosctl"
	else
		command -v mqosctl
	fi
}

mqos_malformed() {
	local ctl v
	ctl=$(mqosctl_bin) || return 0
	[ -n "$ctl" ] || return 0
	v=$(n_gw "$ctl" stats -j 2>/dev/null |
		sed -n 's/.*"malformed"[^0-9]*\([0-9][0-9]*\).*/\1/p' | head -n1)
	if [ -z "$v" ] && [ -r /proc/net/mqos/classes ]; then
		v=$(n_gw sh -c 'cat /proc/net/mqos/* 2>/dev/null' |
			sed -n 's/.*malformed[^0-9]*\([0-9][0-9]*\).*/\1/p' | head -n1)
	fi
	echo "$v"
}

# --- slab --------------------------------------------------------------------
_leak_settle() {
	# Let RCU callbacks and deferred frees run, then drop reclaimable caches.
	sync
	sleep 1
	echo 3 > /proc/sys/vm/drop_caches 2>/dev/null
	sleep 0.5
}

_slab_kb() { awk '/^Slab:/ { print $2 }' /proc/meminfo; }

# Active objects of one cache (0 if it is not there).
_slab_objs() {
	awk -v c="$1" '$1 == c { print $2; found = 1 } END { if (!found) print 0 }' \
		/proc/slabinfo 2>/dev/null
}

leak_snapshot() {
	_leak_settle
	LEAK_SLAB0=$(_slab_kb)
	LEAK_SKB0=$(_slab_objs skbuff_head_cache)
	cp /proc/slabinfo /tmp/mqos-slab0.$$ 2>/dev/null
}

# Top growers between the snapshot and now, as diagnostics.
_leak_diff() {
	[ -r /tmp/mqos-slab0.$$ ] || return 0
	awk 'NR == FNR { if ($1 !~ /^#|^slabinfo/) a[$1] = $2 * $4; next }
	     $1 !~ /^#|^slabinfo/ { d = $2 * $4 - a[$1]; if (d > 0) printf "%d %s\n", d, $1 }' \
		/tmp/mqos-slab0.$$ /proc/slabinfo | sort -rn | head -n 5 |
		awk '{ printf "#   %-28s +%d KiB\n", $2, $1 / 1024 }'
}

leak_check_slab() {
	local tol=${1:-4096} now skb grow skb_grow
	_leak_settle
	now=$(_slab_kb)
	# Deferred frees (netns cleanup, RCU) take a while under TCG: poll.
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		[ $((now - LEAK_SLAB0)) -le "$tol" ] && break
		sleep 2
		_leak_settle
		now=$(_slab_kb)
	done
	skb=$(_slab_objs skbuff_head_cache)
	grow=$((now - LEAK_SLAB0))
	skb_grow=$((skb - LEAK_SKB0))
	diag "slab: ${LEAK_SLAB0} kB -> ${now} kB (${grow} kB), skbuff_head_cache objects ${LEAK_SKB0} -> ${skb}"
	if [ "$grow" -le "$tol" ] && [ "$skb_grow" -le 512 ]; then
		ktap_ok "slab back to baseline (growth ${grow} kB <= ${tol} kB, skbs +${skb_grow})"
	else
		_leak_diff
		ktap_fail "slab back to baseline (growth ${grow} kB, limit ${tol} kB; skbs +${skb_grow})"
	fi
	rm -f /tmp/mqos-slab0.$$
}

leak_check_module() {
	local ok=0
	wait_for 200 mqos_idle || ok=1
	if [ $ok = 0 ]; then
		rmmod mqos 2>/dev/null || ok=1
	fi
	if [ $ok = 0 ] && ! mqos_loaded; then
		ktap_ok "module refcount back to 0, rmmod succeeds"
	else
		diag "refcnt $(mqos_refcnt); holders: $(ls /sys/module/mqos/holders 2>/dev/null)"
		ktap_fail "module refcount back to 0, rmmod succeeds"
	fi
}

leak_kmemleak() {
	local f=/sys/kernel/debug/kmemleak n
	if [ ! -w "$f" ]; then
		ktap_skip "kmemleak scan" "kernel without kmemleak"
		return 0
	fi
	echo scan > "$f"
	echo scan > "$f"
	n=$(grep -c '^unreferenced object' "$f")
	if [ "$n" = 0 ]; then
		ktap_ok "kmemleak scan: nothing unreferenced"
	else
		head -n 30 "$f" | sed 's/^/# /'
		ktap_fail "kmemleak scan: $n unreferenced objects"
	fi
}
