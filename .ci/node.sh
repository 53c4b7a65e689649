# Sourced by .ci/run: runs CI on the oldest Node.js the package supports (package.json "engines").
# When the machine's Node.js is older, Node.js 22 comes from the npm registry (the official
# binary, published as the node-linux-<arch> package) into a cache, and goes first on PATH.
SHIPSHAPE_CI_NODE=22.23.5
if [ "$(node -p 'Number(process.versions.node.split(".")[0])')" -lt 22 ]; then
  arch="$(node -p 'process.arch')"
  dir="${XDG_CACHE_HOME:-$HOME/.cache}/shipshape-ci/node-$SHIPSHAPE_CI_NODE-linux-$arch"
  if [ ! -x "$dir/bin/node" ]; then
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "node-linux-$arch@$SHIPSHAPE_CI_NODE" >/dev/null && tar xzf ./*.tgz package/bin/node)
    mkdir -p "$(dirname "$dir")"
    rm -rf "$dir"
    mv "$tmp/package" "$dir"
    rm -rf "$tmp"
  fi
  export PATH="$dir/bin:$PATH"
fi
echo "CI runs on Node.js $(node --version), npm $(npm --version)"
