# SPDX-License-Identifier: Apache-2.0
# Sourced by the PACS test and benchmark (issue 27): a real Orthanc on loopback with a temporary
# configuration and storage.
#   start_orthanc WORK OUR_AE OUR_PORT [USER PASSWORD]
# picks free ports, starts Orthanc (AE title ORTHANC) knowing OUR_AE at 127.0.0.1:OUR_PORT as a move
# destination, with the DICOMweb plugin at /dicom-web/ (HTTP basic authentication of USER when
# given), waits until it answers C-ECHO, and sets ORTHANC_PID, ORTHANC_DICOM_PORT, ORTHANC_REST and
# ORTHANC_DICOMWEB. stop_orthanc ends it. Calls fail (defined by the caller) when it cannot start.
free_ports() { # N: prints N free TCP ports on loopback
  /usr/bin/python3 - "$1" <<'PY'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
PY
}

start_orthanc() {
  local work=$1 our_ae=$2 our_port=$3 user=${4:-} password=${5:-} http_port auth
  auth='"AuthenticationEnabled": false'
  [ -n "$user" ] && auth="\"AuthenticationEnabled\": true, \"RegisteredUsers\": {\"$user\": \"$password\"}"
  local plugin=/usr/share/orthanc/plugins/libOrthancDicomWeb.so
  [ -f "$plugin" ] || fail "the Orthanc DICOMweb plugin is missing: $plugin (package orthanc-dicomweb)"
  read -r ORTHANC_DICOM_PORT http_port < <(free_ports 2)
  mkdir -p "$work"
  cat >"$work/orthanc.json" <<JSON
{
  "Name": "lightbox-test", "StorageDirectory": "$work/orthanc-db", "IndexDirectory": "$work/orthanc-db",
  "Plugins": ["$plugin"], "HttpServerEnabled": true, "HttpPort": $http_port, "RemoteAccessAllowed": false,
  $auth, "DicomWeb": {"Enable": true, "Root": "/dicom-web/"}, "DicomServerEnabled": true, "DicomAet": "ORTHANC", "DicomPort": $ORTHANC_DICOM_PORT,
  "DicomCheckCalledAet": true, "UnknownSopClassAccepted": true, "OverwriteInstances": true,
  "DicomModalities": { "lightbox": ["$our_ae", "127.0.0.1", $our_port] },
  "DicomAlwaysAllowEcho": true, "DicomAlwaysAllowStore": true, "DicomAlwaysAllowFind": true,
  "DicomAlwaysAllowGet": true, "DicomAlwaysAllowMove": true, "StorageCompression": false
}
JSON
  Orthanc "$work/orthanc.json" >"$work/orthanc.log" 2>&1 &
  ORTHANC_PID=$!
  ORTHANC_REST=http://127.0.0.1:$http_port
  ORTHANC_DICOMWEB=http://127.0.0.1:$http_port/dicom-web
  for _ in $(seq 1 100); do
    echoscu -aec ORTHANC 127.0.0.1 "$ORTHANC_DICOM_PORT" 2>/dev/null && return 0
    sleep 0.1
  done
  fail "Orthanc did not start: $(tail -5 "$work/orthanc.log")"
}

stop_orthanc() {
  if [ -n "${ORTHANC_PID:-}" ]; then
    kill "$ORTHANC_PID" 2>/dev/null || true
    wait "$ORTHANC_PID" 2>/dev/null || true
    ORTHANC_PID=
  fi
}
