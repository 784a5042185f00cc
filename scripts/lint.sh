#!/bin/sh
# lint.sh: the project's own source checks, in the spirit of curl's
# checksrc.pl (make lint). Prints "file:line: reason" for each finding and
# exits 1 when there is any.
#
#   banned calls     atoi atol atoll sprintf vsprintf strcpy strcat gets,
#                    in every C file (comments and strings do not count)
#   floating point   float, double or a floating literal in src/core, where
#                    money lives
#   width            lines wider than 80 columns (a tab runs to the next
#                    multiple of 8) in the C files under src/, tests/, fuzz/
#   SQL              SELECT, INSERT, UPDATE, DELETE FROM, CREATE TABLE in C
#                    files outside src/store (strings count, comments not).
#                    Also allowed: tests/store/ (the store suite looks at
#                    the database it wrote) and bench/bench_sqlite.c (raw
#                    SQLite, the baseline the store is measured against).
#
# Usage: scripts/lint.sh [FILE|DIR...]   (default: src tests fuzz bench)
set -eu
cd "$(dirname "$0")/.."

# Paths are taken relative to the repository root.
if [ $# -eq 0 ]; then
	for d in src tests fuzz bench; do
		[ -d "$d" ] && set -- "$@" "$d"
	done
fi
files=$(for p in "$@"; do
	if [ -d "$p" ]; then
		find "$p" -type f \( -name '*.c' -o -name '*.h' \)
	elif [ -e "$p" ]; then
		printf '%s\n' "$p"
	else
		echo "lint.sh: $p: no such file" >&2
	fi
done | LC_ALL=C sort)
[ -n "$files" ] || exit 0

# shellcheck disable=SC2086
exec perl -e '
use strict;
use warnings;

my $found = 0;

sub report {
	my ($file, $line, $why) = @_;
	print "$file:$line: $why\n";
	$found = 1;
}

# strip: the text with comments blanked; with $keep_strings false, string
# and character literals are blanked too. Newlines are kept, so line
# numbers do not move.
sub strip {
	my ($text, $keep_strings) = @_;
	my $out = "";
	my $n = length $text;
	my $i = 0;
	while ($i < $n) {
		my $c = substr($text, $i, 1);
		my $two = substr($text, $i, 2);
		if ($two eq "/*") {
			my $end = index($text, "*/", $i + 2);
			$end = $n - 2 if $end < 0;
			my $body = substr($text, $i, $end + 2 - $i);
			$body =~ s/[^\n]/ /g;
			$out .= $body;
			$i = $end + 2;
		} elsif ($two eq "//") {
			my $end = index($text, "\n", $i);
			$end = $n if $end < 0;
			$out .= " " x ($end - $i);
			$i = $end;
		} elsif ($c eq "\"" || $c eq "\x27") {
			my $j = $i + 1;
			while ($j < $n) {
				my $d = substr($text, $j, 1);
				last if $d eq $c || $d eq "\n";
				$j += 2, next if $d eq "\\";
				$j++;
			}
			my $lit = substr($text, $i, $j + 1 - $i);
			if (!$keep_strings) {
				$lit =~ s/[^\n]/ /g;
			}
			$out .= $lit;
			$i = $j + 1;
		} else {
			$out .= $c;
			$i++;
		}
	}
	return $out;
}

sub width {
	my ($s) = @_;
	my $col = 0;
	for my $ch (split //, $s) {
		if ($ch eq "\t") {
			$col += 8 - $col % 8;
		} elsif ((ord($ch) & 0xc0) != 0x80) {
			$col++;    # count UTF-8 lead bytes only
		}
	}
	return $col;
}

my $banned = qr/\b(atoi|atol|atoll|sprintf|vsprintf|strcpy|strcat|gets)\s*\(/;
my $float = qr/\b(float|double)\b/;
my $flit = qr/(?<![\w.])(\d+\.\d*|\.\d+)([eE][-+]?\d+)?[fFlL]?(?![\w.])/;
my $sql = qr/\b(SELECT|INSERT\s+INTO|UPDATE|DELETE\s+FROM|CREATE\s+TABLE)\b/;

for my $file (@ARGV) {
	open(my $fh, "<", $file) or die "lint.sh: $file: $!\n";
	local $/;
	my $text = <$fh> // "";
	close $fh;

	my @raw = split /\n/, $text, -1;
	my @code = split /\n/, strip($text, 0), -1;
	my @withstr = split /\n/, strip($text, 1), -1;
	my $core = $file =~ m{^src/core/};
	my $store = $file =~ m{^(src/store/|tests/store/|bench/bench_sqlite\.c$)};
	my $wide = $file =~ m{^(src|tests|fuzz)/};

	for my $k (0 .. $#raw) {
		my $ln = $k + 1;
		my $code = $code[$k] // "";
		while ($code =~ /$banned/g) {
			report($file, $ln, "banned call $1()");
		}
		if ($core && $code =~ $float) {
			report($file, $ln, "floating point ($1) in money code");
		} elsif ($core && $code =~ $flit) {
			report($file, $ln,
			       "floating-point literal $1 in money code");
		}
		if ($wide && (my $w = width($raw[$k])) > 80) {
			report($file, $ln, "line is $w columns wide (max 80)");
		}
		my $ws = $withstr[$k] // "";
		while (!$store && $ws =~ /$sql/g) {
			report($file, $ln, "SQL ($1) outside src/store");
		}
	}
}
exit $found;
' $files
