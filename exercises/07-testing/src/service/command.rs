//! The protocol's requests, parsed from one line each.

/// One request from a client.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Command {
    /// `STOCK <sku>`: how many units can still be reserved.
    Stock { sku: String },
    /// `RESERVE <sku> <units>`: hold units for a while.
    Reserve { sku: String, units: u32 },
    /// `RELEASE <id>`: give a reservation's units back now.
    Release { id: u64 },
}

impl Command {
    /// Parses one line (without its delimiter); `Err` holds the reply to send instead.
    pub(crate) fn parse(line: &str) -> Result<Self, String> {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["STOCK", sku] => Ok(Command::Stock { sku: (*sku).to_owned() }),
            ["RESERVE", sku, units] => match units.parse() {
                Ok(units) if units > 0 => {
                    Ok(Command::Reserve { sku: (*sku).to_owned(), units })
                }
                _ => Err(format!("ERR bad quantity {units}")),
            },
            ["RELEASE", id] => match id.parse() {
                Ok(id) => Ok(Command::Release { id }),
                Err(_) => Err(format!("ERR bad reservation id {id}")),
            },
            _ => Err("ERR usage: STOCK sku | RESERVE sku units | RELEASE id".to_owned()),
        }
    }
}
