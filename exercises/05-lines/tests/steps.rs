// The steps of exercise 05: a CRLF line codec, then a live inventory feed over real
// TCP that uses it. The runner reports the first step that fails.

use std::net::SocketAddr;

use bytes::BytesMut;
use lines::{CrlfLineCodec, FeedFactory, FeedServer, LineError, MAX_LENGTH};
use test_kit::{LineClient, Transcript};
use tokio::task::JoinSet;
use tokio_util::codec::{Decoder, Encoder};

// Starts a feed server on a free loopback port and returns its address.
async fn start(factory: FeedFactory) -> SocketAddr {
    let addr = "127.0.0.1:0".parse().expect("a valid address");
    let server = FeedServer::bind(addr, factory)
        .await
        .expect("the feed server could not listen on 127.0.0.1:0");
    let addr = server.local_addr();
    tokio::spawn(server.run());
    addr
}

// Asks the codec for the next line of `buf`, shown as text.
fn next_line(codec: &mut CrlfLineCodec, buf: &mut BytesMut) -> Option<String> {
    match codec.decode(buf) {
        Ok(line) => line.map(|line| String::from_utf8_lossy(&line).into_owned()),
        Err(err) => panic!("decoding {buf:?} failed: {err}"),
    }
}

// Sends `line` and returns the answer.
async fn ask(client: &mut LineClient, line: &str) -> String {
    client.send_line(line).await;
    client.recv_line().await
}

#[test]
fn step_1_codec_decodes_split_and_merged_lines() {
    test_kit::run(|| async {
        let mut codec = CrlfLineCodec::new();
        let mut buf = BytesMut::new();

        // Split: one line arrives in three reads, its delimiter cut in half.
        buf.extend_from_slice(b"WIDGET");
        assert_eq!(
            next_line(&mut codec, &mut buf),
            None,
            "half a line is not a line yet"
        );
        buf.extend_from_slice(b"-1 5\r");
        assert_eq!(
            next_line(&mut codec, &mut buf),
            None,
            "a \\r alone is not the delimiter: its \\n may be in the next read"
        );
        buf.extend_from_slice(b"\n");
        assert_eq!(
            next_line(&mut codec, &mut buf).as_deref(),
            Some("WIDGET-1 5"),
            "the line, without its \\r\\n"
        );
        assert!(
            buf.is_empty(),
            "the line and its \\r\\n must be removed from the buffer, left {buf:?}"
        );

        // Merged: two lines and the start of a third in one read.
        buf.extend_from_slice(b"GADGET 2\r\nWIDGET-1 -1\r\nGAD");
        assert_eq!(next_line(&mut codec, &mut buf).as_deref(), Some("GADGET 2"));
        assert_eq!(next_line(&mut codec, &mut buf).as_deref(), Some("WIDGET-1 -1"));
        assert_eq!(next_line(&mut codec, &mut buf), None, "GAD is not finished yet");
        assert_eq!(&buf[..], b"GAD", "the unfinished line stays in the buffer");
        buf.extend_from_slice(b"GET 1\r\n\r\n");
        assert_eq!(next_line(&mut codec, &mut buf).as_deref(), Some("GADGET 1"));
        assert_eq!(
            next_line(&mut codec, &mut buf).as_deref(),
            Some(""),
            "\\r\\n alone is an empty line"
        );

        // Only \r\n ends a line: a bare \n is part of it (LinesCodec would split here).
        buf.extend_from_slice(b"one\ntwo\r\n");
        assert_eq!(next_line(&mut codec, &mut buf).as_deref(), Some("one\ntwo"));
        assert_eq!(next_line(&mut codec, &mut buf), None);
    });
}

#[test]
fn step_2_codec_encodes_lines_with_crlf() {
    test_kit::run(|| async {
        let mut codec = CrlfLineCodec::new();
        let mut buf = BytesMut::new();
        codec.encode("WIDGET-1 7", &mut buf).expect("encoding a line");
        codec
            .encode(String::from("GADGET 2"), &mut buf)
            .expect("encoding a String works too");
        assert_eq!(
            String::from_utf8_lossy(&buf),
            "WIDGET-1 7\r\nGADGET 2\r\n",
            "every line ends with \\r\\n, never a bare \\n"
        );

        // What the codec writes, it reads back.
        assert_eq!(next_line(&mut codec, &mut buf).as_deref(), Some("WIDGET-1 7"));
        assert_eq!(next_line(&mut codec, &mut buf).as_deref(), Some("GADGET 2"));
        assert!(buf.is_empty());
    });
}

#[test]
fn step_3_feed_answers_running_totals_over_tcp() {
    test_kit::run(|| async {
        let addr = start(FeedFactory::new()).await;
        let transcript = Transcript::new();
        let mut alice = LineClient::connect(addr, "alice", &transcript).await;

        assert_eq!(
            ask(&mut alice, "WIDGET-1 5").await,
            "WIDGET-1 5",
            "a new SKU starts at 0"
        );
        assert_eq!(
            ask(&mut alice, "WIDGET-1 2").await,
            "WIDGET-1 7",
            "the answer is the new running total"
        );
        assert_eq!(
            ask(&mut alice, "GADGET 3").await,
            "GADGET 3",
            "each SKU has its own total"
        );
        assert_eq!(
            ask(&mut alice, "WIDGET-1 -4").await,
            "WIDGET-1 3",
            "a negative qty takes stock out"
        );

        // TCP keeps no write boundaries: lines split and merged on the wire still
        // get one answer each, in order.
        alice.send_raw(b"GADGET -1\r\nWIDGET-1 10\r\nGAD").await;
        alice.send_raw(b"GET 4\r").await;
        alice.send_raw(b"\n").await;
        assert_eq!(alice.recv_line().await, "GADGET 2");
        assert_eq!(alice.recv_line().await, "WIDGET-1 13");
        assert_eq!(alice.recv_line().await, "GADGET 6");

        insta::assert_snapshot!(transcript.to_string());
    });
}

#[test]
fn step_4_malformed_lines_get_an_error_and_the_connection_stays() {
    test_kit::run(|| async {
        let addr = start(FeedFactory::new()).await;
        let transcript = Transcript::new();
        let mut alice = LineClient::connect(addr, "alice", &transcript).await;

        for bad in [
            "",
            "\t",
            "WIDGET-1",
            "WIDGET-1 five",
            "WIDGET-1 5 boxes",
            "WIDGET/1 5",
            "WIDGET-1 99999999999999999999",
        ] {
            let answer = ask(&mut alice, bad).await;
            assert!(
                answer.starts_with("ERR "),
                "{bad:?} is not `SKU qty`: expected `ERR <reason>`, got {answer:?}"
            );
        }
        // Bytes that are not UTF-8 are an error too, not a panic.
        alice.send_raw(b"WIDGET-\xff 5\r\n").await;
        let answer = alice.recv_line().await;
        assert!(
            answer.starts_with("ERR "),
            "invalid UTF-8: expected `ERR <reason>`, got {answer:?}"
        );

        // A move that would overflow the total is refused and changes nothing.
        assert_eq!(
            ask(&mut alice, "GADGET 9223372036854775807").await,
            "GADGET 9223372036854775807"
        );
        assert!(
            ask(&mut alice, "GADGET 1").await.starts_with("ERR "),
            "i64::MAX + 1 must be refused"
        );
        assert_eq!(ask(&mut alice, "GADGET -9223372036854775807").await, "GADGET 0");

        // Still connected, and none of the errors moved any stock.
        assert_eq!(ask(&mut alice, "WIDGET-1 5").await, "WIDGET-1 5");

        insta::assert_snapshot!(transcript.to_string());
    });
}

#[test]
fn step_5_an_over_long_line_closes_the_connection_with_the_reason() {
    test_kit::run(|| async {
        // The codec: a line of exactly max_length bytes is fine, one byte more is not.
        assert_eq!(CrlfLineCodec::new().max_length(), MAX_LENGTH);
        let mut codec = CrlfLineCodec::with_max_length(8);
        let mut buf = BytesMut::from(&b"12345678\r\n123456789\r\n"[..]);
        assert_eq!(
            next_line(&mut codec, &mut buf).as_deref(),
            Some("12345678"),
            "8 bytes fit a max_length of 8"
        );
        match codec.decode(&mut buf) {
            Err(LineError::TooLong { max_length: 8 }) => {}
            other => {
                panic!(
                    "a 9-byte line with max_length 8: expected Err(TooLong {{ max_length: 8 }}), got {other:?}"
                )
            }
        }
        // Without any \r\n the codec must not buffer forever: it gives up as soon as
        // the line is certainly too long.
        let mut codec = CrlfLineCodec::with_max_length(8);
        let mut buf = BytesMut::from(&[b'x'; 100][..]);
        match codec.decode(&mut buf) {
            Err(LineError::TooLong { max_length: 8 }) => {}
            other => panic!(
                "100 bytes without \\r\\n, max_length 8: expected Err(TooLong {{ max_length: 8 }}), got {other:?}"
            ),
        }

        // Over TCP, with a small limit so the transcript stays readable.
        let addr = start(FeedFactory::with_max_length(16)).await;
        let transcript = Transcript::new();
        let mut alice = LineClient::connect(addr, "alice", &transcript).await;
        assert_eq!(
            ask(&mut alice, "WIDGET-1 1234567").await,
            "WIDGET-1 1234567",
            "16 bytes fit a limit of 16"
        );
        assert_eq!(
            ask(&mut alice, "WIDGET-1 12345678").await,
            "ERR line too long (max 16 bytes)"
        );
        alice.expect_closed().await;
        insta::assert_snapshot!(transcript.to_string());

        // With the default limit, a flood without any \r\n is cut off the same way.
        let addr = start(FeedFactory::new()).await;
        let mut mallory = LineClient::connect(addr, "mallory", &Transcript::new()).await;
        mallory.send_raw(&vec![b'x'; 4 * MAX_LENGTH]).await;
        assert_eq!(
            mallory.recv_line().await,
            format!("ERR line too long (max {MAX_LENGTH} bytes)")
        );
        mallory.expect_closed().await;
    });
}

#[test]
fn step_6_all_connections_share_the_totals() {
    test_kit::run(|| async {
        let addr = start(FeedFactory::new()).await;
        let transcript = Transcript::new();
        let mut alice = LineClient::connect(addr, "alice", &transcript).await;
        let mut bob = LineClient::connect(addr, "bob", &transcript).await;

        assert_eq!(ask(&mut alice, "WIDGET-1 5").await, "WIDGET-1 5");
        assert_eq!(
            ask(&mut bob, "WIDGET-1 -2").await,
            "WIDGET-1 3",
            "bob sees alice's stock"
        );
        assert_eq!(ask(&mut alice, "GADGET 4").await, "GADGET 4");
        assert_eq!(ask(&mut bob, "GADGET 1").await, "GADGET 5");
        assert_eq!(
            ask(&mut alice, "WIDGET-1 1").await,
            "WIDGET-1 4",
            "alice sees bob's move"
        );
        drop(alice);
        drop(bob);

        // The totals live in the factory, not in a connection: a newcomer sees them.
        let mut carol = LineClient::connect(addr, "carol", &transcript).await;
        assert_eq!(ask(&mut carol, "WIDGET-1 0").await, "WIDGET-1 4");
        insta::assert_snapshot!(transcript.to_string());

        // Four scanners at once, 25 moves each: not one update may be lost.
        let mut scanners = JoinSet::new();
        for n in 0..4 {
            scanners.spawn(async move {
                let mut scanner =
                    LineClient::connect(addr, &format!("scanner{n}"), &Transcript::new())
                        .await;
                for _ in 0..25 {
                    let answer = ask(&mut scanner, "BOLT 1").await;
                    assert!(
                        answer.starts_with("BOLT "),
                        "expected a BOLT total, got {answer:?}"
                    );
                }
            });
        }
        while let Some(done) = scanners.join_next().await {
            done.expect("a scanner failed");
        }
        assert_eq!(
            ask(&mut carol, "BOLT 0").await,
            "BOLT 100",
            "4 scanners x 25 moves of 1"
        );
    });
}
