//! Part II's pieces, as a library the capstone wires together instead of copying.
//!
//! Each module is one idea of an earlier chapter, written as library code:
//!
//! | module        | chapter | what it gives                                          |
//! |---------------|---------|--------------------------------------------------------|
//! | [`feed`]      | 05      | the scanners' line codec and the `SKU qty` stock move  |
//! | [`tls`]       | 09      | TLS configs that demand client certificates; a test PKI |
//! | [`http`]      | 08      | JSON responses and a bounded HTTP/1.1 server on hyper  |
//! | [`hub`]       | 10      | dashboards' bounded queues, resync by snapshot         |
//! | [`dashboard`] | 10      | one dashboard's WebSocket: subscribe, pushes, close    |
//! | [`drain`]     | 15      | a stop signal, SIGTERM/SIGINT, a drain with a deadline |
//! | [`accept`]    | 05, 08  | an accept loop that pauses instead of spinning (EMFILE) |

pub mod accept;
pub mod dashboard;
pub mod drain;
pub mod feed;
pub mod http;
pub mod hub;
pub mod tls;
