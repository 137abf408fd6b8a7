#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The tdc-style configuration cases of selftests/tdc/*.json (the form of
# the kernel's tc-testing cases), run by selftests/tdc_run.py with the
# distribution's tc and tc/q_mqos.so: valid and invalid qdisc and class
# options; every refusal must leave the configuration as it was. Cases
# that need what the kernel does not take yet (create with options,
# tc class change) SKIP with the kernel's reason.
. "$(dirname "$0")/lib.sh"

require_root
require_cmd tc ip python3
if [ ! -e "$REPO_DIR/tc/q_mqos.so" ]; then
	ktap_plan 1
	ktap_skip_rest "tc/q_mqos.so not built (make -C tc)"
fi
if ! mqos_load; then
	ktap_plan 1
	ktap_skip_rest "cannot load mqos.ko"
fi
export TC_LIB_DIR=$REPO_DIR/tc
NS=mqs-tdc-$$
trap 'ip netns del $NS 2>/dev/null' EXIT
ip netns add $NS || { ktap_plan 1; ktap_skip_rest "cannot create a network namespace"; }
ip netns exec $NS python3 "$SELFTESTS_DIR/tdc_run.py" "$SELFTESTS_DIR"/tdc/*.json
