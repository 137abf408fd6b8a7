# SPDX-License-Identifier: GPL-2.0
#
# Leak checks and tool building for the reliability tests (hostile_packets,
# genl_fuzz, faults_under_traffic, memory_bounds). Sourced after lib.sh.
#
#   leak_snapshot            remember slab usage now (after dropping caches)
#   leak_check_slab          KTAP result: kmalloc-* bytes and sk_buff objects
#                            back to the snapshot (see "slab" below for why
#                            only those)
#   leak_check_module        KTAP result: refcount back to 0, rmmod succeeds
#   leak_kmemleak            KTAP result on kernels with kmemleak (debug
#                            kernel), SKIP elsewhere
#   rel_tool NAME            build selftests/NAME.c into $REL_BIN (once),
#                            unless a built selftests/NAME exists
#   mqos_malformed           the netns's malformed MQTT/MQTT-SN counter
#                            (mqosctl stats -j in the gateway), or "" if
#                            no control plane answers

REL_BIN=${REL_BIN:-}

# --- the shared preamble and ending of the reliability tests -----------------
#   rel_setup TOOL...   after ktap_plan: root, tc and ip, cleanup on exit,
#                       the helper tools built, the slab snapshot, mqos
#                       loaded (rel_load), the lib.sh topology; a failure
#                       ends the test (skip if the module cannot load)
#   rel_load            load mqos: the DEBUG=1 build when it exists for
#                       this kernel (its object accounting is checked at
#                       rmmod), else as lib.sh's mqos_load
#   rel_finish          tear everything down, then the leak results
#                       (3 KTAP results: module, slab, kmemleak) and
#                       ktap_finish
#   rel_cleanup_hook    a test may define it: run by the EXIT trap
# A timing mark in the output: "# t=SECONDS s WHAT".
rel_t() { diag "t=${SECONDS}s $*"; }

rel_cleanup() {
	declare -F rel_cleanup_hook >/dev/null && rel_cleanup_hook
	topo_cleanup
	rel_tools_cleanup
	rm -f "${LEAK_SLABINFO0:-/nonexistent}"
}

rel_setup() {
	local t
	require_root
	require_cmd tc ip
	trap rel_cleanup EXIT
	for t in "$@"; do
		rel_tool "$t" || { ktap_fail "build $t"; ktap_finish; }
	done
	leak_snapshot
	rel_load || ktap_skip_rest "cannot load mqos.ko"
	topo_create || { ktap_fail "topology"; ktap_finish; }
}

REL_DEBUG=
REL_MARK=
REL_OBJS0=
rel_load() {
	local dko=$REPO_DIR/build/$(uname -r)-debug/mqos.ko rc=0
	# A mark in the kernel log: the report at rmmod is what follows it
	# (a line count would be wrong once the ring buffer wraps, and
	# genl_fuzz fills it).
	REL_MARK="mqos-selftest: rel_load ${0##*/} $$ $SECONDS"
	echo "$REL_MARK" > /dev/kmsg 2>/dev/null
	if ! mqos_loaded; then
		if [ -z "${MQOS_KO:-}" ] && [ -e "$dko" ]; then
			insmod "$dko"
		else
			mqos_load
		fi
		rc=$?
		[ $rc = 0 ] && REL_OBJS0=$(mqos_slab_objs)
	fi
	# A DEBUG=1 build, whichever path it came from (check-debug passes
	# it as MQOS_KO) and even if an earlier test loaded it, reports its
	# object counts at rmmod (the counts cover its whole life).
	REL_DEBUG=
	[ $rc = 0 ] && grep -q '[[:space:]]mqos_obj_report[[:space:]]\[mqos\]' /proc/kallsyms &&
		REL_DEBUG=1
	return $rc
}

# Live kmalloc-* objects that mqos allocated (its frame nearest the allocation,
# below), from SLUB's user tracking (slub_debug=U, which vm-run boots with; the
# traces are in debugfs since 5.14). mqos allocates only from kmalloc-*
# (no cache of its own; see "slab" below). Prints "-" when the kernel
# does not track.
_mqos_slab_traces() {
	local d=/sys/kernel/debug/slab f
	[ -d $d ] || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	ls $d/kmalloc-*/alloc_traces >/dev/null 2>&1 || return 1
	for f in $d/kmalloc-*/alloc_traces; do
		case $f in */kmalloc-cg-*) continue ;; esac
		echo "cache ${f%/alloc_traces}"
		cat "$f" 2>/dev/null
	done
}
# Which module an allocation belongs to: the module of its allocating
# frame, the first frame (the entry's caller, then its stack from the top)
# that is not the allocator itself (kmalloc, kvmalloc, kstrdup, ...: a
# kvzalloc by mqos is mqos's). Frames deeper down do not count: a stack
# can hold stale ones. nf_conntrack's init allocations, made while mqos's
# hook loaded it (symbol_request), once showed an mqos frame below
# nf_conntrack's own; and a module's init code is freed after init, so
# the return address into it that an old allocation's stack keeps resolves
# to whatever text was loaded there later, mqos's included
# (kmem_cache_create <- "mqos_net_init" in a boot-time module's sysfs
# allocations). Reads alloc_traces text (with "cache" lines) on stdin;
# prints "COUNT MODULE" per entry ("-" for the core kernel) and, with
# dump=1, the entry's lines after it.
_slab_owner_awk='
	function flush() { if (have) { print cnt, (mod == "" ? "-" : mod); if (dump) printf "%s", e } have = 0 }
	function modof(line) {
		if (match(line, /\[[A-Za-z0-9_]+\]/)) return substr(line, RSTART + 1, RLENGTH - 2)
		return "-"
	}
	function frame(line,   f) {	# the frame is the allocator: 0, else decided
		f = line; sub(/^[ \t]+/, "", f); sub(/[+ ].*/, "", f)
		if (f ~ /^_*(kmem_cache_alloc|kmalloc|kvmalloc|kzalloc|kvzalloc|kcalloc|kvcalloc|krealloc|kvrealloc|kmemdup|kvmemdup|kstrdup|kstrndup|slab_alloc|do_kmalloc|alloc_pages)/)
			return 0
		mod = modof(line)
		return 1
	}
	/^cache / { flush(); c = $2; sub(/.*\//, "", c); next }
	/^ *[0-9]+ / { flush(); have = 1; cnt = $1 + 0; e = c ": " $0 "\n"
		h = $0; sub(/^ *[0-9]+ /, "", h); sub(/ (waste|age)=.*/, "", h)
		mod = ""; frame(h); next }
	have { e = e $0 "\n"; if (mod == "" && $0 ~ /[^ \t]/) frame($0) }
	END { flush() }'
_mqos_slab_count() {
	awk "$_slab_owner_awk" | awk '$2 == "mqos" { n += $1 } END { print n + 0 }'
}
mqos_slab_objs() {
	local t
	t=$(_mqos_slab_traces) || { echo -; return; }
	printf '%s\n' "$t" | _mqos_slab_count
}
# The entries that mqos_slab_objs counts, as diagnostics: where the
# objects still alive were allocated.
mqos_slab_report() {
	_mqos_slab_traces 2>/dev/null | awk -v dump=1 "$_slab_owner_awk" | awk '
		/^[0-9]+ [A-Za-z0-9_-]+$/ { hit = $2 == "mqos"; next }
		hit' | sed 's/^/# /'
}

rel_finish() {
	topo_cleanup
	leak_check_module
	leak_check_slab
	leak_kmemleak
	ktap_finish
}

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
		sed -n 's/.*"malformed_packets"[^0-9]*\([0-9][0-9]*\).*/\1/p' | head -n1)
	if [ -z "$v" ] && [ -r /proc/net/mqos/classes ]; then
		v=$(n_gw sh -c 'cat /proc/net/mqos/* 2>/dev/null' |
			sed -n 's/.*malformed[^0-9]*\([0-9][0-9]*\).*/\1/p' | head -n1)
	fi
	echo "$v"
}

# --- slab --------------------------------------------------------------------
# What is compared, and why not the whole Slab: of /proc/meminfo.
#
# mqos has no slab cache of its own. Everything it allocates comes from
#   - kmalloc-N (GFP_KERNEL, never __GFP_ACCOUNT): qdisc state and class
#     tables, configuration copies, rule tables (kvzalloc; the large ones
#     from vmalloc, and their per-CPU hit counters from the percpu
#     allocator -- both are counted by the DEBUG=1 build's object
#     accounting, module/debug.c, not here);
#   - the skbs it queues: skbuff_head_cache / skbuff_fclone_cache (and
#     skbuff_small_head on 6.12), their data in kmalloc-N or page frags.
# So a leak by mqos shows as kmalloc-* bytes or skbuff_* objects that do
# not come back. The rest of Slab: is the kernel's own, and moves by
# megabytes in a run that creates and deletes namespaces, sockets and
# conntrack entries: net_namespace, TCP/TCPv6 and request sockets, nf_conntrack,
# kernfs/sysfs nodes, dentries and inodes of /proc and /sys, radix tree
# and maple nodes, task/mm/vma caches of the processes the test ran, and
# partially used slabs kept by SLUB (free objects on cpu/partial slabs
# still count as slab pages). The whole Slab: measured +3.9 MB in
# faults_under_traffic on 6.1 with no mqos leak, and swings by about
# that between identical runs, so it cannot tell a leak from noise.
#
# The check, after the deferred frees (netns cleanup work, RCU, TCP
# TIME_WAIT in deleted namespaces) have run and reclaimable caches are
# dropped, polling while it settles:
#   kmalloc-* (not kmalloc-cg-*, which only accounted allocations use):
#     active bytes within LEAK_KMALLOC_KB (default 1024 kB) of the
#     snapshot;
#   skbuff_head_cache + skbuff_fclone_cache (the sk_buffs themselves,
#     not skbuff_small_head, 6.12's cache of data heads): active objects
#     within LEAK_SKB_OBJS of the snapshot. Each CPU keeps up to 64
#     sk_buffs in its NAPI cache (NAPI_SKB_CACHE_SIZE) and, on 6.12, up
#     to 64 more on its deferred-free list (net.core.skb_defer_max), so
#     128 per CPU plus 64. (6.12 ended a faults_under_traffic run with
#     skbuff_* +221, 74 of them small heads, steady over six polls: within
#     these caches' bounds, and a per-packet leak grows with the packets.)
# Shown to fail (scratch builds, 6.1): one skb clone leaked per 1024
# dequeued packets made faults_under_traffic fail here (skbuff_* +555
# objects, 503 of them skbuff_head_cache; kmalloc-* +2037 kB) with the
# earlier limit of 192; the limit is now 320 on 2 CPUs, which that run
# still exceeds, but this revision was not re-run against it. Small kmalloc leaks are below
# the kmalloc-* noise: one 96-byte kmalloc leaked per qdisc passed this
# check (+33 kB) and was caught by leak_check_module's count of mqos's
# own live kmalloc objects (9, 8 after insmod) -- that is the precise
# check; this one is the net for skbs and large leaks.
# Slab: as a whole is printed, with the caches that grew most, as
# diagnostics only.

# KASAN (the debug kernel) keeps freed objects in a quarantine, where
# /proc/slabinfo still counts them as active, and lets them go only as
# later frees push them out: after genl_fuzz's 3750 netlink messages the
# debug kernel showed sk_buffs +7356 falling to -77 over six polls while
# kmalloc-* rose from -1915 to +3131 kB (kmalloc-8k/4k, the messages'
# data), with the object accounting balanced and kmemleak clean. Shrinking
# a cache (/sys/kernel/slab/NAME/shrink -> kmem_cache_shrink) empties its
# part of the quarantine (kasan_cache_shrink), so the counts are real.
_leak_kasan=
_leak_kasan_drain() {
	local c
	[ -n "$_leak_kasan" ] ||
		_leak_kasan=$(grep -qw kasan_quarantine_reduce /proc/kallsyms 2>/dev/null && echo 1 || echo 0)
	[ "$_leak_kasan" = 1 ] || return 0
	for c in /sys/kernel/slab/kmalloc-* /sys/kernel/slab/skbuff_*; do
		case "$c" in *kmalloc-cg-*) continue ;; esac
		[ -w "$c/shrink" ] && echo 1 > "$c/shrink" 2>/dev/null
	done
	return 0
}

_leak_settle() {
	# Let RCU callbacks and deferred frees run, then drop reclaimable caches.
	sync
	sleep 1
	echo 3 > /proc/sys/vm/drop_caches 2>/dev/null
	_leak_kasan_drain
	sleep 0.5
}

_slab_kb() { awk '/^Slab:/ { print $2 }' /proc/meminfo; }

# Active objects of one cache (0 if it is not there).
_slab_objs() {
	awk -v c="$1" '$1 == c { print $2; found = 1 } END { if (!found) print 0 }' \
		/proc/slabinfo 2>/dev/null
}

# "KMALLOC_BYTES SKB_OBJS" of a slabinfo file: active objects * object size
# over kmalloc-N (plain and dma/rcl variants, not -cg-), active sk_buffs.
_leak_watched() {
	awk '$1 ~ /^kmalloc-/ && $1 !~ /^kmalloc-cg-/ { k += $2 * $4 }
	     $1 == "skbuff_head_cache" || $1 == "skbuff_fclone_cache" { s += $2 }
	     END { printf "%d %d\n", k, s }' "$1"
}

leak_snapshot() {
	_leak_settle
	LEAK_SLAB0=$(_slab_kb)
	LEAK_SLABINFO0=$(mktemp /tmp/mqos-slab0.XXXXXX)
	cat /proc/slabinfo > "$LEAK_SLABINFO0" 2>/dev/null
	read -r LEAK_KM0 LEAK_SKB0 <<< "$(_leak_watched "$LEAK_SLABINFO0")"
}

# Caches that grew most between the snapshot and now (active bytes).
_leak_diff() {
	[ -r "${LEAK_SLABINFO0:-}" ] || return 0
	awk 'NR == FNR { if ($1 !~ /^#|^slabinfo/) a[$1] = $2 * $4; next }
	     $1 !~ /^#|^slabinfo/ { d = $2 * $4 - a[$1]; if (d >= 16384) printf "%d %s %d\n", d, $1, $2 }' \
		"$LEAK_SLABINFO0" /proc/slabinfo | sort -rn | head -n "${1:-8}" |
		awk '{ printf "#   %-26s +%d KiB (%d active)\n", $2, $1 / 1024, $3 }'
}

leak_check_slab() {
	local km_tol=${LEAK_KMALLOC_KB:-1024} skb_tol=${LEAK_SKB_OBJS:-} now km skb dkm dskb i
	[ -n "$skb_tol" ] || skb_tol=$(( 128 * $(nproc) + 64 ))
	if [ ! -r "${LEAK_SLABINFO0:-}" ] || [ ! -r /proc/slabinfo ]; then
		ktap_skip "kmalloc and skbuff slab back to baseline" "no /proc/slabinfo"
		return 0
	fi
	# Deferred frees (netns cleanup, RCU) take a while under TCG: poll.
	for i in 1 2 3 4 5 6; do
		_leak_settle
		read -r km skb <<< "$(_leak_watched /proc/slabinfo)"
		dkm=$(( (km - LEAK_KM0) / 1024 ))
		dskb=$((skb - LEAK_SKB0))
		diag "slab check $i: kmalloc-* ${dkm} kB, sk_buffs ${dskb}"
		[ "$dkm" -le "$km_tol" ] && [ "$dskb" -le "$skb_tol" ] && break
		sleep 1
	done
	now=$(_slab_kb)
	diag "Slab: ${LEAK_SLAB0} kB -> ${now} kB ($((now - LEAK_SLAB0)) kB, not compared); grew most:"
	_leak_diff 8
	if [ "$dkm" -le "$km_tol" ] && [ "$dskb" -le "$skb_tol" ]; then
		ktap_ok "kmalloc and skbuff slab back to baseline (kmalloc-* ${dkm} kB <= ${km_tol}, sk_buffs ${dskb} <= ${skb_tol})"
	else
		ktap_fail "kmalloc and skbuff slab back to baseline (kmalloc-* ${dkm} kB, limit ${km_tol}; sk_buffs ${dskb}, limit ${skb_tol})"
	fi
	rm -f "$LEAK_SLABINFO0"
}

# With the DEBUG=1 build loaded (rel_load), also its report at rmmod:
# every object it created was destroyed (module/debug.c). With SLUB user
# tracking, also: the kmalloc objects allocated by mqos code and still
# live are no more than right after insmod (init_net's state, the genl
# family), i.e. everything the test made them create was freed.
leak_check_module() {
	local ok=0 what="module refcount back to 0, rmmod succeeds" rep
	wait_for 200 mqos_idle || ok=1
	# mqos's own live objects, while its symbols can still be resolved;
	# deferred frees (RCU, the netns cleanup work) first. Up to ~30 s:
	# on the debug kernel one object more than after insmod was seen
	# after ~8 s (balanced at rmmod, nothing for kmemleak), once.
	REL_OBJS1=-
	if [ -n "$REL_OBJS0" ] && [ "$REL_OBJS0" != - ]; then
		for _ in $(seq 20); do
			_leak_settle
			REL_OBJS1=$(mqos_slab_objs)
			[ "$REL_OBJS1" = - ] && break
			[ "$REL_OBJS1" -le "$REL_OBJS0" ] && break
		done
		# Where the ones still alive were allocated.
		[ "$REL_OBJS1" != - ] && [ "$REL_OBJS1" -gt "$REL_OBJS0" ] &&
			mqos_slab_report
	fi
	if [ $ok = 0 ]; then
		rmmod mqos 2>/dev/null || ok=1
	fi
	if [ $ok != 0 ] || mqos_loaded; then
		diag "refcnt $(mqos_refcnt); holders: $(ls /sys/module/mqos/holders 2>/dev/null)"
		ktap_fail "$what"
		return
	fi
	if [ -n "$REL_DEBUG" ]; then
		# After the mark; without it (rotated out), the whole log.
		rep=$(dmesg | awk -v m="$REL_MARK" 'index($0, m) { buf = ""; next }
			/mqos: objects:/ { buf = buf $0 "\n" } END { printf "%s", buf }')
		printf '%s\n' "$rep" | sed 's/^.*mqos: /# mqos: /'
		if printf '%s\n' "$rep" | grep -q 'objects: balanced'; then
			what="$what, debug build: objects created == destroyed"
		else
			ok=1
			what="$what, debug build: objects created != destroyed"
		fi
	else
		what="$what (release build: no object accounting)"
	fi
	if [ "$REL_OBJS0" = - ] || [ -z "$REL_OBJS0" ] || [ "$REL_OBJS1" = - ]; then
		:
	elif [ "$REL_OBJS1" -le "$REL_OBJS0" ]; then
		# Fewer is no leak: what insmod allocated may be gone by now
		# (a flushed rule table frees init_net's ruleset).
		what="$what, kmalloc objects allocated by mqos: $REL_OBJS1 <= $REL_OBJS0 after insmod"
	else
		ok=1
		what="$what, kmalloc objects allocated by mqos: $REL_OBJS1, more than $REL_OBJS0 after insmod"
	fi
	ktap_result "$what" $ok
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
