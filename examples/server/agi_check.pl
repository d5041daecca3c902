#!/usr/bin/perl
# An Asterisk AGI script (VICIdial runs these from its dialplan) that asks
# `callwindow serve` before a call is placed.  Core Perl only: HTTP::Tiny, JSON::PP.
#
#   exten => _X.,1,AGI(agi_check.pl,${EXTEN})
#    same => n,GotoIf($["${CW_ALLOWED}" = "1"]?dial:hold)
#
# Sets CW_ALLOWED (1 or 0), CW_REASONS (reason codes, comma-separated),
# CW_NEXT (the next allowed instant, UTC) and CW_ATTEMPT (the attempt id to
# report the outcome to /v1/outcome with).  The server's URL comes from
# CALLWINDOW_URL.  An optional second argument judges another instant than now.
# If the server cannot answer, CW_ALLOWED is 0 (fail closed).
use strict;
use warnings;
use HTTP::Tiny;
use JSON::PP;

$| = 1;
my %agi;
while (my $line = <STDIN>) {    # the AGI environment, up to a blank line
    chomp $line;
    last if $line eq '';
    $agi{$1} = $2 if $line =~ /^(agi_\w+):\s*(.*)$/;
}
my ($phone, $at) = @ARGV;
$phone //= $agi{agi_extension};

my $url = $ENV{CALLWINDOW_URL} // 'http://127.0.0.1:8787';
my %headers = ('Content-Type' => 'application/json');
$headers{Authorization} = "Bearer $ENV{CALLWINDOW_TOKEN}" if $ENV{CALLWINDOW_TOKEN};
my $body = {consumer => {id => $phone, phone => $phone, consent => JSON::PP::true}};
$body->{at} = $at if defined $at;
my $response = HTTP::Tiny->new(timeout => 5)->post(
    "$url/v1/acquire", {headers => \%headers, content => encode_json($body)});

my %set = (CW_ALLOWED => 0, CW_REASONS => 'server_unavailable', CW_NEXT => '',
           CW_ATTEMPT => '');
if ($response->{status} == 200) {
    my $decision = decode_json($response->{content});
    $set{CW_ALLOWED} = $decision->{allowed} ? 1 : 0;
    $set{CW_REASONS} = join ',', map { $_->{code} } @{$decision->{reasons}};
    $set{CW_NEXT} = $decision->{next_allowed_at} // '';
    $set{CW_ATTEMPT} = $decision->{attempt_id} // '';
}
for my $name (sort keys %set) {
    print qq{SET VARIABLE $name "$set{$name}"\n};
    my $reply = <STDIN>;    # "200 result=1"
}
