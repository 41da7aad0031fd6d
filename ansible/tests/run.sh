#!/usr/bin/env bash
# CI checks of the deployment files: docker-compose.yml, the Dockerfile, the Ansible playbooks, and
# the agent role applied to this machine producing an agent that registers with a real portal.
#
#   ansible/tests/run.sh     (from anywhere; Debian packages: ansible-core docker-compose nginx openssl
#                             systemd curl python3, and a Java 17)
#
# Uses target/vaniila.jar (built with ./mvnw -B -DskipTests -Dfrontend.skip=true package when
# missing), or the jar VANIILA_JAR names. Prints every check; exits 1 if any failed. Cleans up what
# it started (the portal, nginx, the agent, the throwaway directory).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
ansible_dir="$repo/ansible"
work=$(mktemp -d /tmp/vaniila-deploy-test.XXXXXX)
portal_pid=""
agent_pid=""
nginx_pid=""
failures=()

cleanup() {
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null
  [ -n "$portal_pid" ] && kill "$portal_pid" 2>/dev/null && wait "$portal_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

ok() { echo "  ok: $*"; }
fail() { echo "  FAIL: $*"; failures+=("$*"); }
section() { echo; echo "== $*"; }

section "tools"
for tool in ansible-playbook ansible-inventory docker-compose java curl python3 nginx openssl systemd-analyze; do
  if command -v "$tool" >/dev/null; then ok "$tool: $(command -v "$tool")"; else
    fail "$tool is missing: apt-get install ansible-core docker-compose openjdk-17-jre-headless curl python3 nginx openssl systemd"
  fi
done
[ ${#failures[@]} -eq 0 ] || { echo "run.sh: tools missing, stopping"; exit 1; }

# The portal starts now, in the background, so that its start overlaps the static checks.
section "a real portal, started from the jar"
jar="${VANIILA_JAR:-$repo/target/vaniila.jar}"
if [ ! -f "$jar" ]; then
  echo "  building $jar"
  (cd "$repo" && ./mvnw -q -B -DskipTests -Dfrontend.skip=true package) || fail "the jar does not build"
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
portal="http://127.0.0.1:$port"
admin_password="deploy-test-$(date +%s)-password"
echo "  starting the portal on $portal (log: $work/portal.log)"
VANIILA_HOME="$work/portal-home" VANIILA_ADMIN_PASSWORD="$admin_password" SERVER_PORT=$port \
  VANIILA_SSH_PORT=$(free_port) VANIILA_DATABASE_FSYNC=false VANIILA_LOCAL_VIRTUAL_NODES=none \
  java -jar "$jar" > "$work/portal.log" 2>&1 &
portal_pid=$!

section "ansible: syntax of every playbook, the example inventory"
cd "$ansible_dir"
export ANSIBLE_CONFIG="$ansible_dir/ansible.cfg" ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
for playbook in "$ansible_dir"/*.yml "$ansible_dir"/tests/*.yml; do
  name=${playbook#"$ansible_dir"/}
  if out=$(ansible-playbook --syntax-check -i inventory/example/hosts.yml "$playbook" 2>&1); then
    ok "syntax: $name"
  else
    fail "syntax: $name: $out"
  fi
done
if out=$(ansible-inventory -i inventory/example/hosts.yml --list 2>&1) \
   && python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d["gpu_nodes"]["hosts"])==7 and d["storage"]["hosts"] and d["portal"]["hosts"], d' <<<"$out"; then
  ok "example inventory: portal, storage and 7 GPU nodes"
else
  fail "example inventory does not parse or lacks a group: $out"
fi

section "ansible: the GPU flavor rule of the agent role"
if out=$(python3 "$here/test_gpu_flavor.py" 2>&1); then ok "test_gpu_flavor.py: $(tail -1 <<<"$out")"; else fail "test_gpu_flavor.py: $out"; fi

section "ansible: the agent role's GPU check against a recorded nvidia-smi (H100 fixture)"
fixture=""
for d in "$repo/../shared/fixtures/gpu" "$repo/../../shared/fixtures/gpu"; do
  [ -f "$d/h100-sxm-1gpu/query-gpu.csv" ] && fixture="$d/h100-sxm-1gpu/query-gpu.csv" && break
done
if [ -z "$fixture" ]; then
  fail "the shared GPU fixtures (../shared/fixtures/gpu) are not beside the checkout"
else
  # Replays the real output: keeps index, name and memory.total of the recorded full query.
  cat > "$work/nvidia-smi" <<SCRIPT
#!/bin/sh
awk -F', ' '{print \$1", "\$3", "\$5}' '$fixture'
SCRIPT
  chmod +x "$work/nvidia-smi"
  if out=$(ansible-playbook -i localhost, tests/gpu-check.yml -e "vaniila_nvidia_smi=$work/nvidia-smi" \
      -e '{"vaniila_gpus":[{"flavor":"h100-80g","count":1}]}' 2>&1); then
    ok "one h100-80g expected, one listed: accepted"
  else
    fail "the GPU check refused the matching H100: $out"
  fi
  if out=$(ansible-playbook -i localhost, tests/gpu-check.yml -e "vaniila_nvidia_smi=$work/nvidia-smi" \
      -e '{"vaniila_gpus":[{"flavor":"h100-80g","count":2}]}' 2>&1); then
    fail "the GPU check accepted 1 GPU where the inventory expects 2"
  elif grep -q "the inventory expects {'h100-80g': 2}" <<<"$out"; then
    ok "two h100-80g expected, one listed: refused with the counts"
  else
    fail "the GPU check failed without saying what differs: $out"
  fi
  if out=$(ansible-playbook -i localhost, tests/gpu-check.yml -e "vaniila_nvidia_smi=$work/no-such-nvidia-smi" \
      -e '{"vaniila_gpus":[{"flavor":"h100-80g","count":1}]}' 2>&1); then
    fail "the GPU check accepted a node whose nvidia-smi does not run"
  elif grep -q "did not answer" <<<"$out"; then
    ok "nvidia-smi missing: refused, saying it did not answer"
  else
    fail "the GPU check failed on a missing nvidia-smi without saying so: $out"
  fi
fi

section "docker-compose.yml (Debian docker-compose $(docker-compose version --short 2>/dev/null))"
cd "$repo"
if out=$(VANIILA_ADMIN_PASSWORD=compose-check-password docker-compose -f docker-compose.yml config -q 2>&1); then
  ok "docker-compose config -q accepts the file"
else
  fail "docker-compose config -q: $out"
fi
if grep -qE '^name:' docker-compose.yml; then fail "top-level name: (docker-compose 1.29 refuses it)"; else ok "no top-level name:"; fi
services=$(VANIILA_ADMIN_PASSWORD=compose-check-password docker-compose -f docker-compose.yml config --services 2>/dev/null | sort | tr '\n' ' ')
if [ "$services" = "agent-1 agent-2 db node-tokens portal " ]; then ok "services: $services"; else fail "services are '$services'"; fi
config=$(VANIILA_ADMIN_PASSWORD=compose-check-password docker-compose -f docker-compose.yml config 2>/dev/null)
grep -q 'image: postgres:17' <<<"$config" && ok "PostgreSQL 17" || fail "the db service is not postgres:17"
[ "$(grep -c 'VANIILA_AGENT_VIRTUAL_GPUS' <<<"$config")" = 2 ] && ok "two agents with virtual GPUs" || fail "not two agents with virtual GPUs"
if out=$(env -u VANIILA_ADMIN_PASSWORD docker-compose -f docker-compose.yml config -q 2>&1); then
  fail "the file is accepted without VANIILA_ADMIN_PASSWORD"
elif grep -q "set VANIILA_ADMIN_PASSWORD" <<<"$out"; then
  ok "without VANIILA_ADMIN_PASSWORD: refused, saying to set it"
else
  fail "without VANIILA_ADMIN_PASSWORD: unclear refusal: $out"
fi
# The commented variant for a real NVIDIA host must stay valid: uncomment it under services:.
python3 - docker-compose.yml "$work/compose-real-gpu.yml" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
block = re.search(r"# BEGIN real-gpu-agent\n(.*?)# END real-gpu-agent\n", text, re.S).group(1)
lines = [l[1:] for l in block.splitlines() if l.startswith("#") and not l.startswith("#  #")]
text = text.replace("\nvolumes:\n", "\n" + "\n".join(lines) + "\n\nvolumes:\n  gpu-03-state:\n", 1)
text = text.replace("NODES: gpu-01 gpu-02", "NODES: gpu-01 gpu-02 gpu-03")
open(sys.argv[2], "w").write(text)
PY
cp Dockerfile "$work/"
if out=$(cd "$work" && VANIILA_ADMIN_PASSWORD=compose-check-password docker-compose -f compose-real-gpu.yml config 2>&1) \
   && grep -q 'driver: nvidia' <<<"$out" && grep -q 'gpu-03' <<<"$out"; then
  ok "the commented real-GPU agent, uncommented, is valid and reserves the NVIDIA devices"
else
  fail "the commented real-GPU agent, uncommented, is not valid: $out"
fi

section "Dockerfile against the README's build"
if out=$(python3 "$here/check_dockerfile.py" "$repo" 2>&1); then echo "$out"; ok "Dockerfile matches"; else echo "$out"; fail "Dockerfile and README differ"; fi
# The check must be able to fail: a Dockerfile building differently is caught.
mkdir -p "$work/drift/docs"
cp README.md pom.xml "$work/drift/"; [ -f docs/deployment.md ] && cp docs/deployment.md "$work/drift/docs/"
sed 's|RUN ./mvnw -B -DskipTests package|RUN ./mvnw -B -DskipTests -Dfrontend.skip=true package|' Dockerfile > "$work/drift/Dockerfile"
if python3 "$here/check_dockerfile.py" "$work/drift" >/dev/null 2>&1; then
  fail "check_dockerfile.py accepted a Dockerfile that skips the front-end build"
else
  ok "check_dockerfile.py refuses a Dockerfile that builds differently"
fi

section "the portal, up"
up=""
for _ in $(seq 1 180); do
  if curl -fsS "$portal/actuator/health" 2>/dev/null | grep -q '"UP"'; then up=yes; break; fi
  kill -0 "$portal_pid" 2>/dev/null || break
  sleep 1
done
token_field() { sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p'; }
node="ci-agent-$$"
node_token=""
if [ -z "$up" ]; then
  if kill -0 "$portal_pid" 2>/dev/null; then
    fail "the portal did not come up in 180 s: $(tail -20 "$work/portal.log")"
  else
    wait "$portal_pid"; code=$?; portal_pid=""
    fail "the portal exited (code $code) before it was up: $(grep -m3 -E 'ERROR|Exception|APPLICATION FAILED' "$work/portal.log")"
  fi
else
  ok "portal healthy"
  admin=$(curl -sS -X POST "$portal/api/v1/auth/token" -H 'Content-Type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$admin_password\"}" | token_field)
  if [ -z "$admin" ]; then fail "no admin token from POST /api/v1/auth/token"; else
    ok "admin token"
    answer=$(curl -sS -w '\nHTTP %{http_code}' -X POST "$portal/api/v1/nodes/tokens" -H "Authorization: Bearer $admin" \
      -H 'Content-Type: application/json' -d "{\"node\":\"$node\"}")
    node_token=$(head -n -1 <<<"$answer" | token_field)
    if [ -n "$node_token" ]; then ok "node token for $node"; else
      fail "no node token from POST /api/v1/nodes/tokens (the agent gateway): $(tr '\n' ' ' <<<"$answer")"
    fi
  fi
fi

if [ -n "$up" ]; then
  section "portal role: its nginx TLS front in front of this portal, its systemd unit"
  conf="$work/portal-conf"
  mkdir -p "$conf/tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=portal.test.example \
    -keyout "$conf/tls/portal.key" -out "$conf/tls/portal.crt" 2>/dev/null
  http_port=$(free_port); https_port=$(free_port)
  cd "$ansible_dir"
  if out=$(ansible-playbook -i localhost, tests/portal-templates.yml -e "out=$conf" -e "vaniila_portal_port=$port" \
      -e "vaniila_nginx_http_port=$http_port" -e "vaniila_nginx_https_port=$https_port" 2>&1); then
    ok "templates rendered"
  else
    fail "the portal role's templates do not render: $out"
  fi
  printf 'pid nginx.pid;\nerror_log stderr;\nevents {}\nhttp {\n  access_log off;\n  include nginx-vaniila.conf;\n}\n' > "$conf/nginx.conf"
  if out=$(nginx -t -p "$conf" -c "$conf/nginx.conf" -e stderr 2>&1); then ok "nginx -t accepts the site"; else fail "nginx -t: $out"; fi
  nginx -p "$conf" -c "$conf/nginx.conf" -e stderr -g 'daemon off;' > "$work/nginx.log" 2>&1 &
  nginx_pid=$!
  health=""
  for _ in $(seq 1 20); do
    health=$(curl -sk --resolve "portal.test.example:$https_port:127.0.0.1" "https://portal.test.example:$https_port/actuator/health" 2>/dev/null) && [ -n "$health" ] && break
    sleep 0.5
  done
  grep -q '"UP"' <<<"$health" && ok "https through nginx reaches the portal: $health" \
    || fail "https through nginx did not reach the portal: '$health' $(cat "$work/nginx.log")"
  redirect=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -H 'Host: portal.test.example' "http://127.0.0.1:$http_port/login")
  [ "$redirect" = "301 https://portal.test.example:$https_port/login" ] && ok "plain http redirects to https: $redirect" \
    || fail "plain http does not redirect to https: '$redirect'"
  kill "$nginx_pid" 2>/dev/null; wait "$nginx_pid" 2>/dev/null; nginx_pid=""
  if out=$(systemd-analyze verify "$conf/vaniila-portal.service" 2>&1) && [ -z "$out" ]; then
    ok "systemd-analyze verify: vaniila-portal.service"
  else
    fail "systemd-analyze verify vaniila-portal.service: $out"
  fi
  section "agent role applied to this machine, registering with the portal"
fi

root="$work/root"
# A training node: DJL's CUDA library comes from an archive shaped as libtorch's (lib/libtorch.so).
# The CUDA build itself is not downloadable here, so the archive holds placeholder files: this checks
# where the role unpacks it and what it tells the agent, not PyTorch.
mkdir -p "$work/libtorch/libtorch/lib"
printf 'placeholder for the test\n' > "$work/libtorch/libtorch/lib/libtorch.so"
printf 'placeholder for the test\n' > "$work/libtorch/libtorch/lib/libtorch_cuda.so"
tar -C "$work/libtorch" -czf "$work/libtorch-cu128.tar.gz" libtorch
cat > "$work/vars.json" <<JSON
{"vaniila_root": "$root", "vaniila_jar": "$jar", "vaniila_portal_url": "$portal",
 "vaniila_node_name": "$node", "vaniila_node_token": "${node_token:-no-token-was-issued}",
 "vaniila_training_node": true, "djl_pytorch_native_cuda_path": "$work/libtorch-cu128.tar.gz"}
JSON
[ -n "$node_token" ] || echo "  applying the role anyway with a token the portal did not issue, to check the install and its idempotence"
cd "$ansible_dir"
for run in 1 2; do
  if ansible-playbook -i localhost, tests/local-agent.yml -e "@$work/vars.json" > "$work/ansible-$run.log" 2>&1; then
    recap=$(grep -A1 'PLAY RECAP' "$work/ansible-$run.log" | tail -1 | tr -s ' ')
    ok "run $run of the role: $recap"
  else
    fail "run $run of the role failed: $(tail -30 "$work/ansible-$run.log")"
  fi
done
grep -h 'Service steps skipped\|without memory' "$work/ansible-1.log" | sed 's/^ *"msg": /  message: /' | head -2
if grep -A1 'PLAY RECAP' "$work/ansible-2.log" | grep -q 'changed=0 .*failed=0'; then
  ok "the second run changed nothing"
else
  fail "the second run changed something: $(grep -B2 '^changed:' "$work/ansible-2.log" | head -20)"
fi
unit="$root/etc/systemd/system/vaniila-agent.service"
jobs_unit="$root/etc/systemd/system/vaniila-jobs.service"
for f in "$root/opt/vaniila/vaniila.jar" "$root/opt/vaniila/bin/vaniila-agent" "$root/opt/vaniila/bin/vaniila-jobs-cgroup" \
    "$root/etc/vaniila/agent.env" "$unit" "$jobs_unit"; do
  [ -f "$f" ] && ok "installed ${f#"$root"}" || fail "missing ${f#"$root"}"
done
[ "$(stat -c %a "$root/etc/vaniila/agent.env" 2>/dev/null)" = 600 ] && ok "agent.env is 0600 (it holds the token)" || fail "agent.env is not 0600"
djl_dir=$(sed -n 's/^PYTORCH_LIBRARY_PATH="\(.*\)"$/\1/p' "$root/etc/vaniila/agent.env" 2>/dev/null)
if [ -n "$djl_dir" ] && [ -f "$djl_dir/libtorch.so" ] && [ "${djl_dir#"$root"/opt/vaniila/djl/}" != "$djl_dir" ] \
   && grep -q '^PYTORCH_FLAVOR="cu128"' "$root/etc/vaniila/agent.env"; then
  ok "DJL's CUDA library unpacked to ${djl_dir#"$root"}, PYTORCH_LIBRARY_PATH and PYTORCH_FLAVOR set"
else
  fail "DJL's CUDA library: PYTORCH_LIBRARY_PATH '$djl_dir' in agent.env does not hold libtorch.so under /opt/vaniila/djl"
fi
grep -q '^Delegate=yes' "$jobs_unit" 2>/dev/null && ok "vaniila-jobs.service delegates the jobs' cgroup" \
  || fail "vaniila-jobs.service lacks Delegate=yes"
grep -q '^KillMode=process' "$unit" 2>/dev/null && grep -q '^Wants=.*vaniila-jobs.service' "$unit" \
  && ok "vaniila-agent.service stops only the agent (KillMode=process) and wants vaniila-jobs.service" \
  || fail "vaniila-agent.service lacks KillMode=process or Wants=vaniila-jobs.service"
for u in "$unit" "$jobs_unit"; do
  if out=$(systemd-analyze verify "$u" 2>&1) && [ -z "$out" ]; then ok "systemd-analyze verify: ${u##*/}"; else
    fail "systemd-analyze verify ${u##*/}: $out"
  fi
done

if [ -n "$node_token" ]; then
  # Start the agent the way systemd would: the unit's EnvironmentFile, then its ExecStart.
  env_file=$(sed -n 's/^EnvironmentFile=//p' "$unit")
  exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
  echo "  starting the agent as the unit does: $exec_start (log: $work/agent.log)"
  env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    sh -c "set -a; . '$env_file'; set +a; exec $exec_start" > "$work/agent.log" 2>&1 &
  agent_pid=$!
  registered=""
  for _ in $(seq 1 60); do
    if curl -fsS "$portal/api/v1/nodes" -H "Authorization: Bearer $admin" 2>/dev/null | grep -q "\"$node\""; then
      registered=yes; break
    fi
    kill -0 "$agent_pid" 2>/dev/null || break
    sleep 1
  done
  if [ -n "$registered" ]; then ok "node $node registered: GET /api/v1/nodes lists it"; else
    fail "node $node did not show in GET /api/v1/nodes within 60 s; agent log: $(tail -20 "$work/agent.log")"
  fi
else
  fail "the installed agent was not started: the portal issued no node token (see above)"
fi

section "agent role asking the portal for the node's token itself (vaniila_admin_password)"
if [ -n "$node_token" ]; then
  cat > "$work/vars-auto.json" <<JSON
{"vaniila_root": "$work/root-auto", "vaniila_jar": "$jar", "vaniila_portal_url": "$portal",
 "vaniila_node_name": "$node-auto", "vaniila_admin_password": "$admin_password", "vaniila_manage_packages": false}
JSON
  for run in 1 2; do
    if ansible-playbook -i localhost, tests/local-agent.yml -e "@$work/vars-auto.json" > "$work/ansible-auto-$run.log" 2>&1; then
      ok "run $run: $(grep -A1 'PLAY RECAP' "$work/ansible-auto-$run.log" | tail -1 | tr -s ' ')"
    else
      fail "run $run of the role with the admin's password failed: $(tail -30 "$work/ansible-auto-$run.log")"
    fi
  done
  grep -q '^VANIILA_AGENT_TOKEN="[^"]\+"$' "$work/root-auto/etc/vaniila/agent.env" 2>/dev/null \
    && ok "agent.env holds a token the portal issued" || fail "agent.env holds no issued token"
  grep -A1 'PLAY RECAP' "$work/ansible-auto-2.log" | grep -q 'changed=0 .*failed=0' \
    && ok "the second run kept the token and changed nothing" || fail "the second run changed something"
else
  fail "not checked: the portal issues no node tokens (see above)"
fi

echo
if [ ${#failures[@]} -eq 0 ]; then
  echo "deploy checks: all passed"
  exit 0
fi
echo "deploy checks: ${#failures[@]} failed:"
for f in "${failures[@]}"; do echo "  - ${f%%$'\n'*}"; done
exit 1
