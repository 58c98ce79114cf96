use sol10_websocket as websocket;
include!("../../../exercises/10-websocket/tests/steps.rs");
