#!/bin/sh
# kibana/lden.ndjson, the saved objects lden installs: a valid Kibana 8
# export whose references resolve and whose fields are the sink's
# (tests/es/check-kibana.py); and the checker does catch a broken file.
set -u
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
CHECK="$top_srcdir/tests/es/check-kibana.py"
FAKE="$top_srcdir/tests/es/fake-es.py"
FILE="$top_srcdir/kibana/lden.ndjson"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

python3 "$CHECK" "$FILE" "$FAKE" || { echo "FAIL: $FILE"; exit 1; }
n=$(grep -c '^{"type":"visualization"' "$FILE")
[ "$n" -ge 3 ] || { echo "FAIL: $n visualizations"; exit 1; }

# without the data view, references dangle
grep -v '^{"type":"index-pattern"' "$FILE" > "$tmp/broken.ndjson"
python3 "$CHECK" "$tmp/broken.ndjson" "$FAKE" > "$tmp/out" &&
	{ echo "FAIL: a file without the data view passed"; exit 1; }
grep -q 'unresolved reference index-pattern lden-data-view' "$tmp/out" ||
	{ echo "FAIL: $(cat "$tmp/out")"; exit 1; }
# a visualization of a field the sink does not send
sed 's/\\"field\\":\\"speed\\"/\\"field\\":\\"velocity\\"/' "$FILE" \
	> "$tmp/field.ndjson"
python3 "$CHECK" "$tmp/field.ndjson" "$FAKE" > "$tmp/out" &&
	{ echo "FAIL: a visualization of an unknown field passed"; exit 1; }
grep -q 'avg of velocity' "$tmp/out" || { echo "FAIL: $(cat "$tmp/out")"; exit 1; }
echo PASS
