# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# MQTT bridged over TLS, one bridge connection per class (docs/tls.md,
# "Topology 1"): the set-up shared by selftests/tls_bridge.sh, the bench's
# "bridge" phase (scripts/bench-bridge.sh) and `scripts/demo --bridge`.
# Sourced after lib.sh. Every function returns non-zero on failure and
# leaves the verdict to its caller.
#
#   gateway broker (gw ns)                          cloud broker (rcv ns)
#   bridge "alarms"    -> CLOUD:18831 -+  nft: mark 2   CLOUD:8883 (TLS, client
#   bridge "telemetry" -> CLOUD:18834 -+  mark 4 /5,      certificates required)
#   bridge "bulk"      -> CLOUD:18835 -+  DNAT :8883    127.0.0.1:1883 (subscribers)
#
# One mosquitto process runs every bridge, so neither its cgroup nor its
# UID tells them apart, and Debian's mosquitto 2.0 ignores
# bridge_bind_address. Each bridge connects to its own alias port of the
# cloud broker instead: nft marks the connection by that port (mark =
# class) and translates it to the real 8883, and a tc `fw` filter on the
# mqos qdisc turns the mark into the class (tlsb_fw_filters).

TLSB_P_ALARM=18831
TLSB_P_TELE=18834
TLSB_P_BULK=18835
TLSB_PORT=8883

# tlsb_certs DIR IP...: a test CA (DIR/ca.*), the cloud broker's
# certificate naming every IP in its subjectAltName (the bridges check it:
# DIR/cloud.*) and the gateway's client certificate (DIR/gw.*).
tlsb_certs() {
	local d=$1 san=subjectAltName= ip
	shift
	for ip in "$@"; do san="${san}IP:$ip,"; done
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj "/CN=mqos test CA" -keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null &&
	_tlsb_cert "$d" cloud cloud "${san%,}" &&
	_tlsb_cert "$d" gw gateway
}

# _tlsb_cert DIR NAME CN [EXT...]: a certificate signed by DIR/ca.
_tlsb_cert() {
	local d=$1 name=$2 cn=$3 ext=() e
	shift 3
	for e in "$@"; do ext+=(-addext "$e"); done
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-days 2 -subj "/CN=$cn" -keyout "$d/$name.key" -out "$d/$name.crt" \
		-CA "$d/ca.crt" -CAkey "$d/ca.key" -addext basicConstraints=CA:FALSE \
		"${ext[@]}" 2>/dev/null
}

# tlsb_nft CLOUD_IP...: on the gateway, the bridges' marks by alias port
# and the translation back to 8883, for connections to any CLOUD_IP. The
# mark is set before NAT (mangle runs before dstnat on output), on every
# packet of the connection: NAT rewrites each packet, the socket keeps
# sending to the alias port. Counters: tlsb_marked.
tlsb_nft() {
	local set ip dnat=
	set=$(echo "$@" | sed 's/ /, /g')
	for ip in "$@"; do
		dnat="$dnat
		ip daddr $ip tcp dport { $TLSB_P_ALARM, $TLSB_P_TELE, $TLSB_P_BULK } dnat to $ip:$TLSB_PORT"
	done
	n_gw nft -f - <<-EOF
	table ip mqos_bridges {
		chain classmark {
			type filter hook output priority mangle; policy accept;
			ip daddr { $set } tcp dport $TLSB_P_ALARM counter meta mark set 2
			ip daddr { $set } tcp dport $TLSB_P_TELE counter meta mark set 4
			ip daddr { $set } tcp dport $TLSB_P_BULK counter meta mark set 5
		}
		chain alias_dnat {
			type nat hook output priority -100; policy accept;$dnat
		}
	}
	EOF
}

# tlsb_marked PORT: packets nft marked for the bridges to alias port PORT.
tlsb_marked() {
	n_gw nft list chain ip mqos_bridges classmark |
		awk -v p="dport $1 " 'index($0, p) { for (i = 1; i < NF; i++) if ($i == "packets") print $(i+1) }'
}

# tlsb_fw_filters DEV: the mqos qdisc (handle 1:) on DEV turns marks 2, 4
# and 5 into classes 2 (realtime), 4 (best-effort) and 5 (bulk).
tlsb_fw_filters() {
	local c
	for c in 2 4 5; do
		n_gw tc filter add dev "$1" parent 1: protocol ip prio 1 handle $c fw classid 1:$c || return 1
	done
}

# tlsb_cloud_conf DIR IP...: the cloud broker's configuration on stdout:
# a TLS listener on 8883 of every IP, requiring the gateway's client
# certificate, and plain 127.0.0.1:1883 for the subscribers.
tlsb_cloud_conf() {
	local d=$1 ip
	shift
	printf 'user root\nallow_anonymous true\n'
	for ip in "$@"; do
		cat <<-EOF
		listener $TLSB_PORT $ip
		cafile $d/ca.crt
		certfile $d/cloud.crt
		keyfile $d/cloud.key
		require_certificate true
		EOF
	done
	printf 'listener 1883 127.0.0.1\n'
}

# tlsb_gw_conf DIR LISTEN_IP LISTEN_PORT CLOUD_IP ID [ALARM_CLOUD_IP]: the
# gateway broker's configuration on stdout: devices connect to
# LISTEN_IP:LISTEN_PORT; three bridges to CLOUD_IP's alias ports, by
# topic: site/alarm/# (QoS 2; to ALARM_CLOUD_IP if given), site/telemetry/#
# (QoS 0), site/bulk/# (QoS 1). ID prefixes the bridges' client ids (two
# gateway brokers on one host would otherwise take each other's ids at the
# cloud broker).
tlsb_gw_conf() {
	local d=$1 cloud=$4 id=$5 b name port topic qos
	printf 'user root\nallow_anonymous true\nlistener %s %s\n' "$3" "$2"
	for b in "alarms $TLSB_P_ALARM site/alarm/# 2" "telemetry $TLSB_P_TELE site/telemetry/# 0" \
		 "bulk $TLSB_P_BULK site/bulk/# 1"; do
		read -r name port topic qos <<< "$b"
		cloud=$4
		[ "$name" = alarms ] && cloud=${6:-$4}
		cat <<-EOF
		connection $name
		address $cloud:$port
		remote_clientid $id-$name
		bridge_cafile $d/ca.crt
		bridge_certfile $d/gw.crt
		bridge_keyfile $d/gw.key
		cleansession true
		notifications false
		restart_timeout 1
		topic $topic out $qos
		EOF
	done
}

# tlsb_bridges CLOUD_IP: the alias ports of the gateway's established
# connections to CLOUD_IP, sorted, on one line ("18831 18834 18835 ").
tlsb_bridges() {
	n_gw ss -tnH state established dst "$1" |
		awk -v a="$TLSB_P_ALARM" -v t="$TLSB_P_TELE" -v b="$TLSB_P_BULK" \
			'{ sub(".*:", "", $4) } $4 == a || $4 == t || $4 == b { print $4 }' | sort | tr '\n' ' '
}

# tlsb_bridges_up CLOUD_IP: true once all three bridges to CLOUD_IP are up.
tlsb_bridges_up() {
	[ "$(tlsb_bridges "$1")" = "$TLSB_P_ALARM $TLSB_P_TELE $TLSB_P_BULK " ]
}
