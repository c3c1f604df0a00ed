# tcp-send.pl FIFO: once a line can be read from FIFO, send exactly
# 1 MiB over loopback TCP to a child that reads it all; exit 0 when the
# child received 1048576 bytes.  (Used by the CLI tests: perl is in
# Debian's perl-base, which is essential.)
use strict;
use IO::Socket::INET;
open(my $go, '<', $ARGV[0]) or die "open $ARGV[0]: $!";
<$go>;
my $l = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
	LocalPort => 0, Proto => 'tcp') or die "listen: $!";
my $port = $l->sockport;
my $pid = fork() // die "fork: $!";
if ($pid == 0) {
	my $c = $l->accept() or die "accept: $!";
	my ($n, $r, $buf) = (0);
	$n += $r while ($r = sysread($c, $buf, 65536));
	exit($n == 1048576 ? 0 : 1);
}
close($l);
my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
	Proto => 'tcp') or die "connect: $!";
my $chunk = 'x' x 65536;
for (my $left = 1048576; $left > 0;) {
	my $w = syswrite($s, $chunk, $left < 65536 ? $left : 65536);
	die "write: $!" unless defined $w;
	$left -= $w;
}
close($s);
waitpid($pid, 0);
exit($? ? 1 : 0);
