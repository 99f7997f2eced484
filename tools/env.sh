# Source from the repository root (". tools/env.sh") after tools/build-real-tools:
# puts the real pulumi and pulumi-resource-kubernetes first on PATH and keeps Pulumi
# offline (no update check, no plugin downloads) with its state inside the clone.
if [ -n "${BASH_SOURCE:-}" ]; then
  _realtools_root=$(cd "$(dirname "$BASH_SOURCE")/.." && pwd)
else
  _realtools_root=$(pwd)
fi
export PATH="$_realtools_root/.realtools/bin:$PATH"
export PULUMI_HOME="$_realtools_root/.pulumi-home"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
unset _realtools_root
