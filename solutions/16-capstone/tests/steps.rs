use sol16_capstone as capstone;
include!("../../../exercises/16-capstone/tests/steps.rs");
