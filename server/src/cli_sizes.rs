//! Sizes given on the command line (`icattle bench`, `icattle seed`).

/// A size that must be a whole number of at least one.
pub fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("{text:?} is not a whole number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_size_is_a_whole_number_of_at_least_one() {
        assert_eq!(at_least_one("10000"), Ok(10_000));
        assert_eq!(at_least_one("0"), Err("must be at least 1".into()));
        assert_eq!(
            at_least_one("-3"),
            Err("\"-3\" is not a whole number".into())
        );
        assert_eq!(
            at_least_one("ten"),
            Err("\"ten\" is not a whole number".into())
        );
    }
}
