//! Exact money, currencies, exchange rates and percentages.
//!
//! [`Money`] is a `rust_decimal::Decimal` amount with an ISO 4217
//! [`Currency`]. Arithmetic is checked: it fails with
//! [`ErrorKind::CurrencyMismatch`] when
//! currencies differ and with [`ErrorKind::Overflow`]
//! when the result does not fit. Converting between currencies needs
//! caller-supplied [`ExchangeRates`]; crmkit never looks rates up itself.
//!
//! ```
//! use crmkit::money::{Currency, ExchangeRates, Money};
//!
//! let usd = Currency::new("USD")?;
//! let eur = Currency::new("EUR")?;
//! let a = Money::parse("499.99", usd)?;
//! let b = Money::parse("0.01", usd)?;
//! assert_eq!(a.checked_add(&b)?, Money::parse("500.00", usd)?);
//!
//! // Mixing currencies is an error unless rates are supplied.
//! let c = Money::parse("10", eur)?;
//! assert!(a.checked_add(&c).is_err());
//! let mut rates = ExchangeRates::new(usd);
//! rates.set(eur, "1.10".parse().unwrap())?; // 1 EUR = 1.10 USD
//! assert_eq!(rates.convert(&c, usd)?, Money::parse("11.00", usd)?);
//! Ok::<(), crmkit::Error>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Error, ErrorKind, Result};

/// An ISO 4217 currency code: three uppercase ASCII letters (`USD`, `EUR`).
///
/// The code is checked for shape, not against the ISO list, so that hosts can
/// use new or private codes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// Parses a currency code; it must be exactly three uppercase letters A–Z.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] unless `code` is
    /// exactly three uppercase letters A–Z.
    pub fn new(code: &str) -> Result<Currency> {
        match code.as_bytes() {
            [a, b, c] if [a, b, c].iter().all(|x| x.is_ascii_uppercase()) => {
                Ok(Currency([*a, *b, *c]))
            }
            _ => Err(Error::new(
                ErrorKind::Invalid,
                format!("currency code {code:?} is not three uppercase letters (iso 4217)"),
            )),
        }
    }

    /// The code as a string slice.
    pub fn as_str(&self) -> &str {
        // Constructed only from ASCII uppercase letters.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// The code as three ASCII bytes.
    pub fn as_bytes(&self) -> [u8; 3] {
        self.0
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.as_str())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Currency {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Currency::new(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Currency::new(&text).map_err(serde::de::Error::custom)
    }
}

/// Serde helpers for `Decimal` fields: written as JSON strings (exact),
/// read from strings or JSON numbers.
///
/// Use with `#[serde(with = "crate::money::decimal_serde")]`.
pub mod decimal_serde {
    use super::*;

    /// Writes a decimal as a JSON string such as `"500.00"`.
    ///
    /// # Errors
    ///
    /// Only the serializer's own errors.
    pub fn serialize<S: Serializer>(value: &Decimal, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&value.to_string())
    }

    /// Reads a decimal from a JSON string (`"500.00"`, `"1e3"`) or number.
    ///
    /// # Errors
    ///
    /// A `D::Error` for anything but a decimal in the accepted grammar (see
    /// [`parse_decimal`]) or a JSON number that is
    /// exactly representable.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Decimal, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        decimal_from_json(&value).map_err(serde::de::Error::custom)
    }

    /// The same for `Option<Decimal>` fields (`null` or absent is `None`).
    pub mod option {
        use super::*;

        /// Writes `Some` as a string and `None` as `null`.
        ///
        /// # Errors
        ///
        /// Only the serializer's own errors.
        pub fn serialize<S: Serializer>(
            value: &Option<Decimal>,
            s: S,
        ) -> std::result::Result<S::Ok, S::Error> {
            match value {
                Some(v) => s.serialize_str(&v.to_string()),
                None => s.serialize_none(),
            }
        }

        /// Reads `null`, a string or a number.
        ///
        /// # Errors
        ///
        /// A `D::Error` for anything else, as the non-optional
        /// [`deserialize`](super::deserialize).
        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> std::result::Result<Option<Decimal>, D::Error> {
            let value = serde_json::Value::deserialize(d)?;
            if value.is_null() {
                return Ok(None);
            }
            decimal_from_json(&value)
                .map(Some)
                .map_err(serde::de::Error::custom)
        }
    }
}

/// Parses an exact decimal from text. Errors name the text.
///
/// The grammar is the JSON number's, with leading zeros allowed: an optional
/// `-`, one or more digits, optionally `.` and one or more digits, optionally
/// `e` or `E`, an optional sign and one or more digits (`"12.50"`, `"-0.5"`,
/// `"1.2e3"`). Nothing else is accepted: no spaces around it, no `+` in
/// front, no `_` separators, no `"12."` or `".5"`.
///
/// # Errors
///
/// [`ErrorKind::Invalid`] for text outside the
/// grammar above, or a value beyond the 28-digit decimal range.
pub fn parse_decimal(text: &str) -> Result<Decimal> {
    let refuse = |why: &str| {
        Error::new(
            ErrorKind::Invalid,
            format!(
                "{} is not an exact decimal number ({why}); expected digits with an optional \
                 leading '-', fraction and exponent, such as \"-12.50\" or \"1.2e3\"",
                crate::error::shown(text)
            ),
        )
    };
    if !is_decimal_text(text) {
        return Err(refuse("not in the accepted form"));
    }
    let parsed = if text.contains(['e', 'E']) {
        Decimal::from_scientific(text)
    } else {
        Decimal::from_str_exact(text)
    };
    parsed.map_err(|err| refuse(&err.to_string()))
}

/// `true` when `text` follows [`parse_decimal`]'s grammar.
fn is_decimal_text(text: &str) -> bool {
    fn digits(bytes: &[u8]) -> usize {
        bytes.iter().take_while(|b| b.is_ascii_digit()).count()
    }
    let bytes = text.as_bytes();
    let mut i = usize::from(bytes.first() == Some(&b'-'));
    let n = digits(bytes.get(i..).unwrap_or_default());
    if n == 0 {
        return false;
    }
    i += n;
    if bytes.get(i) == Some(&b'.') {
        let n = digits(bytes.get(i + 1..).unwrap_or_default());
        if n == 0 {
            return false;
        }
        i += 1 + n;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let n = digits(bytes.get(i..).unwrap_or_default());
        if n == 0 {
            return false;
        }
        i += n;
    }
    i == bytes.len()
}

/// Reads an exact decimal from a JSON string or number.
///
/// Numbers are read through their shortest textual form, so `0.1` becomes
/// exactly `0.1`.
///
/// # Errors
///
/// [`ErrorKind::Invalid`] for a value that is
/// neither a string in the decimal grammar nor a JSON number, or that does not
/// fit the 28-digit decimal range.
pub fn decimal_from_json(value: &serde_json::Value) -> Result<Decimal> {
    match value {
        serde_json::Value::String(text) => parse_decimal(text),
        serde_json::Value::Number(number) => parse_decimal(&number.to_string()),
        other => Err(Error::new(
            ErrorKind::Json,
            format!("expected a decimal number as a string or number, found {other}"),
        )),
    }
}

/// An exact amount of money in one currency.
///
/// JSON form: `{"amount": "499.99", "currency": "USD"}` (the amount may also
/// be given as a JSON number on input; it is always written as a string).
///
/// # Example
///
/// ```
/// use crmkit::money::{Currency, Money};
///
/// let usd: Currency = "USD".parse()?;
/// let price = Money::parse("499.99", usd)?;
/// let total = price.checked_add(&Money::parse("0.01", usd)?)?;
/// assert_eq!(total, Money::parse("500.00", usd)?);
/// assert_eq!(total.to_minor(2)?, 50_000); // cents, exactly
///
/// // Amounts of different currencies are never added silently.
/// let eur = Money::parse("10", "EUR".parse()?)?;
/// assert_eq!(total.checked_add(&eur).unwrap_err().kind(),
///            crmkit::ErrorKind::CurrencyMismatch);
/// Ok::<(), crmkit::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Money {
    /// The exact amount.
    #[serde(with = "decimal_serde")]
    pub amount: Decimal,
    /// The currency of the amount.
    pub currency: Currency,
}

impl Money {
    /// Builds a money value.
    pub fn new(amount: Decimal, currency: Currency) -> Money {
        Money { amount, currency }
    }

    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Money {
        Money::new(Decimal::ZERO, currency)
    }

    /// Parses the amount from text (`"499.99"`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] for an amount outside
    /// the decimal grammar of [`parse_decimal`].
    pub fn parse(amount: &str, currency: Currency) -> Result<Money> {
        Ok(Money::new(parse_decimal(amount)?, currency))
    }

    /// Builds a value from integer minor units (cents): `from_minor(49999, USD, 2)`
    /// is 499.99 USD.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] when `scale` is above
    /// 28.
    pub fn from_minor(minor_units: i64, currency: Currency, scale: u32) -> Result<Money> {
        if scale > 28 {
            return Err(Error::new(
                ErrorKind::Invalid,
                format!("scale {scale} is larger than 28"),
            ));
        }
        Ok(Money::new(Decimal::new(minor_units, scale), currency))
    }

    /// The amount in integer minor units at `scale` decimal places, if it is
    /// exactly representable (no rounding) and fits an `i64`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] when the amount has
    /// more than `scale` decimal places;
    /// [`ErrorKind::Overflow`] when it does not fit
    /// an `i64`.
    pub fn to_minor(&self, scale: u32) -> Result<i64> {
        let factor = Decimal::from_i128_with_scale(10_i128.pow(scale.min(18)), 0);
        let scaled = self
            .amount
            .checked_mul(factor)
            .ok_or_else(|| Error::overflow(format!("{self} does not fit minor units")))?;
        if scale > 18 || scaled.fract() != Decimal::ZERO {
            return Err(Error::new(
                ErrorKind::Invalid,
                format!("{self} has more than {scale} decimal places"),
            ));
        }
        i64::try_from(scaled.mantissa() / 10_i128.pow(scaled.scale()))
            .map_err(|_| Error::overflow(format!("{self} does not fit a 64-bit minor-unit count")))
    }

    /// `true` when the amount is below zero.
    pub fn is_negative(&self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }

    fn same_currency(&self, other: &Money) -> Result<()> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::CurrencyMismatch,
                format!(
                    "cannot combine {} and {} without exchange rates",
                    self.currency, other.currency
                ),
            ))
        }
    }

    /// Adds two values of the same currency.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::CurrencyMismatch`] for
    /// different currencies;
    /// [`ErrorKind::Overflow`] when the sum leaves
    /// the decimal range.
    pub fn checked_add(&self, other: &Money) -> Result<Money> {
        self.same_currency(other)?;
        self.amount
            .checked_add(other.amount)
            .map(|amount| Money::new(amount, self.currency))
            .ok_or_else(|| Error::overflow(format!("{self} + {other} overflows")))
    }

    /// Subtracts a value of the same currency.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::CurrencyMismatch`] for
    /// different currencies;
    /// [`ErrorKind::Overflow`] when the difference
    /// leaves the decimal range.
    pub fn checked_sub(&self, other: &Money) -> Result<Money> {
        self.same_currency(other)?;
        self.amount
            .checked_sub(other.amount)
            .map(|amount| Money::new(amount, self.currency))
            .ok_or_else(|| Error::overflow(format!("{self} - {other} overflows")))
    }

    /// Multiplies by an exact factor (a quantity, a probability).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Overflow`] when the product
    /// leaves the decimal range.
    pub fn checked_mul(&self, factor: Decimal) -> Result<Money> {
        self.amount
            .checked_mul(factor)
            .map(|amount| Money::new(amount, self.currency))
            .ok_or_else(|| Error::overflow(format!("{self} * {factor} overflows")))
    }

    /// Divides by an exact divisor; dividing by zero is an
    /// [`ErrorKind::Invalid`] error.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] when `divisor` is
    /// zero; [`ErrorKind::Overflow`] when the
    /// quotient leaves the decimal range.
    pub fn checked_div(&self, divisor: Decimal) -> Result<Money> {
        if divisor.is_zero() {
            return Err(Error::new(
                ErrorKind::Invalid,
                format!("cannot divide {self} by zero"),
            ));
        }
        self.amount
            .checked_div(divisor)
            .map(|amount| Money::new(amount, self.currency))
            .ok_or_else(|| Error::overflow(format!("{self} / {divisor} overflows")))
    }

    /// Compares two values of the same currency.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::CurrencyMismatch`] for
    /// different currencies.
    pub fn checked_cmp(&self, other: &Money) -> Result<std::cmp::Ordering> {
        self.same_currency(other)?;
        Ok(self.amount.cmp(&other.amount))
    }

    /// Rounds to `dp` decimal places, half away from zero (commercial
    /// rounding).
    pub fn round_dp(&self, dp: u32) -> Money {
        Money::new(
            self.amount
                .round_dp_with_strategy(dp, rust_decimal::RoundingStrategy::MidpointAwayFromZero),
            self.currency,
        )
    }

    /// Sums values that must all be in `currency`; an empty input is zero.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::CurrencyMismatch`] when
    /// a value is not in `currency`;
    /// [`ErrorKind::Overflow`] when the total
    /// leaves the decimal range.
    pub fn sum<'a>(
        currency: Currency,
        values: impl IntoIterator<Item = &'a Money>,
    ) -> Result<Money> {
        values
            .into_iter()
            .try_fold(Money::zero(currency), |acc, value| acc.checked_add(value))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

/// Exchange rates supplied by the caller, relative to a base currency.
///
/// `set(EUR, 1.10)` with base USD means 1 EUR = 1.10 USD. Conversion between
/// two non-base currencies goes through the base. Rates must be positive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ExchangeRatesDoc", into = "ExchangeRatesDoc")]
pub struct ExchangeRates {
    base: Currency,
    rates: BTreeMap<Currency, Decimal>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExchangeRatesDoc {
    base: Currency,
    #[serde(default)]
    rates: BTreeMap<Currency, RateValue>,
}

#[derive(Serialize, Deserialize)]
#[serde(transparent)]
struct RateValue(#[serde(with = "decimal_serde")] Decimal);

impl TryFrom<ExchangeRatesDoc> for ExchangeRates {
    type Error = Error;
    fn try_from(doc: ExchangeRatesDoc) -> Result<Self> {
        let mut rates = ExchangeRates::new(doc.base);
        for (currency, rate) in doc.rates {
            rates
                .set(currency, rate.0)
                .map_err(|e| e.with_path_prefix(&format!("rates.{currency}")))?;
        }
        Ok(rates)
    }
}

impl From<ExchangeRates> for ExchangeRatesDoc {
    fn from(rates: ExchangeRates) -> Self {
        ExchangeRatesDoc {
            base: rates.base,
            rates: rates
                .rates
                .into_iter()
                .map(|(c, r)| (c, RateValue(r)))
                .collect(),
        }
    }
}

impl ExchangeRates {
    /// An empty table with `base` as the reference currency.
    pub fn new(base: Currency) -> ExchangeRates {
        ExchangeRates {
            base,
            rates: BTreeMap::new(),
        }
    }

    /// The reference currency.
    pub fn base(&self) -> Currency {
        self.base
    }

    /// Sets how many units of the base one unit of `currency` is worth.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] when `rate_to_base` is
    /// zero or negative.
    pub fn set(&mut self, currency: Currency, rate_to_base: Decimal) -> Result<()> {
        if rate_to_base <= Decimal::ZERO {
            return Err(Error::new(
                ErrorKind::Invalid,
                format!("exchange rate for {currency} must be positive, got {rate_to_base}"),
            ));
        }
        if currency != self.base {
            self.rates.insert(currency, rate_to_base);
        }
        Ok(())
    }

    /// The rate of `currency` to the base, if known.
    pub fn rate(&self, currency: Currency) -> Option<Decimal> {
        if currency == self.base {
            Some(Decimal::ONE)
        } else {
            self.rates.get(&currency).copied()
        }
    }

    /// Converts `money` into `target`. The result is exact up to the decimal
    /// precision (28 digits); round it for display with [`Money::round_dp`].
    ///
    /// # Errors
    ///
    /// [`ErrorKind::CurrencyMismatch`] when
    /// either currency has no rate;
    /// [`ErrorKind::Overflow`] when the result
    /// leaves the decimal range.
    pub fn convert(&self, money: &Money, target: Currency) -> Result<Money> {
        if money.currency == target {
            return Ok(*money);
        }
        let missing = |c: Currency| {
            Error::new(
                ErrorKind::CurrencyMismatch,
                format!("no exchange rate for {c} (base {})", self.base),
            )
        };
        let from = self
            .rate(money.currency)
            .ok_or_else(|| missing(money.currency))?;
        let to = self.rate(target).ok_or_else(|| missing(target))?;
        let in_base = money
            .amount
            .checked_mul(from)
            .ok_or_else(|| Error::overflow(format!("converting {money} overflows")))?;
        let amount = in_base
            .checked_div(to)
            .ok_or_else(|| Error::overflow(format!("converting {money} overflows")))?;
        Ok(Money::new(amount, target))
    }
}

/// A percentage between 0 and 100 inclusive, exact (`Percent::new(35)` is
/// 35 %). Used for win probabilities and shares.
///
/// JSON form: a string or number, `"35"` or `35.5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "PercentDoc", into = "PercentDoc")]
pub struct Percent(Decimal);

#[derive(Serialize, Deserialize)]
#[serde(transparent)]
struct PercentDoc(#[serde(with = "decimal_serde")] Decimal);

impl TryFrom<PercentDoc> for Percent {
    type Error = Error;
    fn try_from(doc: PercentDoc) -> Result<Self> {
        Percent::new(doc.0)
    }
}

impl From<Percent> for PercentDoc {
    fn from(p: Percent) -> Self {
        PercentDoc(p.0)
    }
}

impl Percent {
    /// Zero percent.
    pub const ZERO: Percent = Percent(Decimal::ZERO);
    /// One hundred percent.
    pub const HUNDRED: Percent = Percent(Decimal::ONE_HUNDRED);

    /// Checks that `value` lies in 0..=100.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Invalid`] when `value` is
    /// outside 0..=100.
    pub fn new(value: impl Into<Decimal>) -> Result<Percent> {
        let value = value.into();
        if value < Decimal::ZERO || value > Decimal::ONE_HUNDRED {
            Err(Error::new(
                ErrorKind::Invalid,
                format!("percentage {value} is outside 0..=100"),
            ))
        } else {
            Ok(Percent(value))
        }
    }

    /// The value in percent (35 for 35 %).
    pub fn value(&self) -> Decimal {
        self.0
    }

    /// The value as a fraction (0.35 for 35 %).
    pub fn as_fraction(&self) -> Decimal {
        self.0 / Decimal::ONE_HUNDRED
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} %", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::new("USD").expect("valid")
    }

    #[test]
    fn currency_rejects_bad_codes() {
        for bad in ["", "us", "usd", "USDX", "U$D", "ÄBC"] {
            assert!(Currency::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn money_json_accepts_number_and_string_and_writes_string() {
        let m: Money = serde_json::from_str(r#"{"amount": 0.1, "currency": "USD"}"#).expect("ok");
        assert_eq!(m.amount.to_string(), "0.1");
        let m: Money =
            serde_json::from_str(r#"{"amount": "500.00", "currency": "USD"}"#).expect("ok");
        assert_eq!(
            serde_json::to_string(&m).expect("ser"),
            r#"{"amount":"500.00","currency":"USD"}"#
        );
        assert!(serde_json::from_str::<Money>(r#"{"amount": "abc", "currency": "USD"}"#).is_err());
        assert!(serde_json::from_str::<Money>(r#"{"amount": "1", "currency": "usd"}"#).is_err());
    }

    #[test]
    fn minor_units_round_trip_and_refuse_fractions() {
        let m = Money::from_minor(49_999, usd(), 2).expect("ok");
        assert_eq!(m.to_minor(2).expect("ok"), 49_999);
        assert!(
            Money::parse("0.001", usd())
                .expect("ok")
                .to_minor(2)
                .is_err()
        );
        assert!(
            Money::parse("1e30", usd()).is_err()
                || Money::parse("1e25", usd())
                    .expect("ok")
                    .to_minor(2)
                    .is_err()
        );
    }

    #[test]
    fn overflow_is_an_error_not_a_panic() {
        let big = Money::new(Decimal::MAX, usd());
        assert_eq!(
            big.checked_add(&big).unwrap_err().kind(),
            ErrorKind::Overflow
        );
        assert_eq!(
            big.checked_mul(Decimal::TWO).unwrap_err().kind(),
            ErrorKind::Overflow
        );
        assert_eq!(
            big.checked_div(Decimal::ZERO).unwrap_err().kind(),
            ErrorKind::Invalid
        );
    }

    #[test]
    fn percent_bounds() {
        assert!(Percent::new(101).is_err());
        assert!(Percent::new(-1).is_err());
        assert_eq!(
            Percent::new(35).expect("ok").as_fraction().to_string(),
            "0.35"
        );
        assert!(serde_json::from_str::<Percent>("150").is_err());
    }
}
