//! Locales and the small vocabulary shared by all messages: criterion and
//! verdict names, objectives, directions, units and number formatting.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::goal::{ChangeDirection, Objective};
use crate::kpi::catalog::Unit;
use crate::money::Currency;
use crate::{Error, ErrorKind, Result};

/// A language for messages. Reason codes never depend on it.
///
/// Parsed from BCP 47-style tags, case-insensitive, `_` or `-`: `en`, `de`,
/// `pt` (and `pt-BR`...), `ru`, `zh-Hans` (also `zh`, `zh-CN`, `zh-SG`),
/// `zh-Hant` (also `zh-TW`, `zh-HK`, `zh-MO`). A region is ignored for the
/// other languages (`en-GB` is `en`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum Locale {
    /// English.
    #[default]
    En,
    /// German.
    De,
    /// Portuguese.
    Pt,
    /// Russian.
    Ru,
    /// Simplified Chinese.
    ZhHans,
    /// Traditional Chinese.
    ZhHant,
}

impl Locale {
    /// Every locale.
    pub const ALL: [Locale; 6] = [
        Locale::En,
        Locale::De,
        Locale::Pt,
        Locale::Ru,
        Locale::ZhHans,
        Locale::ZhHant,
    ];

    /// The canonical tag (`"en"`, `"zh-Hant"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::De => "de",
            Locale::Pt => "pt",
            Locale::Ru => "ru",
            Locale::ZhHans => "zh-Hans",
            Locale::ZhHant => "zh-Hant",
        }
    }

    /// Position in [`Locale::ALL`], used to index translation tables.
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// Parses a locale tag.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`] naming the supported locales.
    pub fn parse(tag: &str) -> Result<Locale> {
        if !is_tag(tag) {
            return Err(Error::new(
                ErrorKind::Unsupported,
                format!(
                    "locale {} is not a language tag: expected a 2-3 letter language and \
                     optional '-' or '_' subtags of 1-8 letters or digits, such as \"en\" or \
                     \"zh-Hant\"",
                    crate::error::shown(tag)
                ),
            ));
        }
        let lower = tag.to_ascii_lowercase().replace('_', "-");
        let mut parts = lower.split('-');
        let language = parts.next().unwrap_or("");
        let rest: Vec<&str> = parts.collect();
        let found = match language {
            "en" => Some(Locale::En),
            "de" => Some(Locale::De),
            "pt" => Some(Locale::Pt),
            "ru" => Some(Locale::Ru),
            "zh" => {
                let traditional = rest
                    .iter()
                    .any(|p| matches!(*p, "hant" | "tw" | "hk" | "mo"));
                Some(if traditional {
                    Locale::ZhHant
                } else {
                    Locale::ZhHans
                })
            }
            _ => None,
        };
        found.ok_or_else(|| {
            let shown: String = tag.chars().take(40).collect();
            Error::new(
                ErrorKind::Unsupported,
                format!(
                    "unsupported locale {shown:?}: expected en, de, pt, ru, zh-Hans or zh-Hant"
                ),
            )
        })
    }

    fn decimal_comma(self) -> bool {
        matches!(self, Locale::De | Locale::Pt | Locale::Ru)
    }
}

/// The accepted language-tag grammar (a subset of BCP 47): 2-3 ASCII
/// letters, then any number of `-` or `_` subtags of 1-8 ASCII letters or
/// digits. No spaces, no empty subtag.
fn is_tag(tag: &str) -> bool {
    let mut parts = tag.split(['-', '_']);
    let language = parts.next().unwrap_or("");
    (2..=3).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

impl TryFrom<String> for Locale {
    type Error = Error;
    fn try_from(tag: String) -> Result<Self> {
        Locale::parse(&tag)
    }
}

impl From<Locale> for &'static str {
    fn from(locale: Locale) -> Self {
        locale.as_str()
    }
}

impl std::str::FromStr for Locale {
    type Err = Error;
    fn from_str(tag: &str) -> Result<Self> {
        Locale::parse(tag)
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Picks the entry for `locale` from a table in [`Locale::ALL`] order.
pub(crate) fn pick(table: &[&'static str; 6], locale: Locale) -> &'static str {
    table[locale.index() % 6]
}

/// A decimal for people: at most `dp` decimals, no trailing zeros, the
/// locale's decimal separator.
pub(crate) fn number(value: Decimal, dp: u32, locale: Locale) -> String {
    let text = value.round_dp(dp).normalize().to_string();
    if locale.decimal_comma() {
        text.replace('.', ",")
    } else {
        text
    }
}

/// A KPI value with its unit (`5%`, `80 USD`, `60 days`).
pub(crate) fn value_with_unit(
    value: Decimal,
    unit: Option<Unit>,
    currency: Option<Currency>,
    locale: Locale,
) -> String {
    let n = number(value, 2, locale);
    let tight = matches!(locale, Locale::ZhHans | Locale::ZhHant);
    match unit {
        Some(Unit::Percent) if locale == Locale::De => format!("{n} %"),
        Some(Unit::Percent) => format!("{n}%"),
        Some(Unit::Money) => match currency {
            Some(c) => format!("{n} {c}"),
            None => n,
        },
        Some(Unit::Days) => {
            let word = pick(&["days", "Tage", "dias", "дн.", "天", "天"], locale);
            if tight {
                format!("{n}{word}")
            } else {
                format!("{n} {word}")
            }
        }
        Some(Unit::Hours) => {
            let word = pick(&["h", "Std.", "h", "ч", "小时", "小時"], locale);
            if tight {
                format!("{n}{word}")
            } else {
                format!("{n} {word}")
            }
        }
        Some(Unit::Minutes) => {
            let word = pick(&["min", "Min.", "min", "мин", "分钟", "分鐘"], locale);
            if tight {
                format!("{n}{word}")
            } else {
                format!("{n} {word}")
            }
        }
        _ => n,
    }
}

/// The localized name of an objective (custom ones are quoted as given).
pub(crate) fn objective_name(objective: &Objective, locale: Locale) -> String {
    let table: &[&str; 6] = match objective {
        Objective::IncreaseRetention => &[
            "increase retention",
            "Kundenbindung erhöhen",
            "aumentar a retenção de clientes",
            "повысить удержание клиентов",
            "提高客户留存",
            "提高客戶留存",
        ],
        Objective::ShortenSalesCycle => &[
            "shorten the sales cycle",
            "Vertriebszyklus verkürzen",
            "encurtar o ciclo de vendas",
            "сократить цикл продаж",
            "缩短销售周期",
            "縮短銷售週期",
        ],
        Objective::SellMore => &[
            "sell more",
            "mehr verkaufen",
            "vender mais",
            "продавать больше",
            "提升销售额",
            "提升銷售額",
        ],
        Objective::ReduceAcquisitionCost => &[
            "reduce acquisition cost",
            "Kundengewinnungskosten senken",
            "reduzir o custo de aquisição",
            "снизить стоимость привлечения клиента",
            "降低获客成本",
            "降低獲客成本",
        ],
        Objective::RaiseSatisfaction => &[
            "raise customer satisfaction",
            "Kundenzufriedenheit steigern",
            "aumentar a satisfação dos clientes",
            "повысить удовлетворённость клиентов",
            "提升客户满意度",
            "提升客戶滿意度",
        ],
        Objective::RaiseLoyalty => &[
            "raise customer loyalty",
            "Kundentreue stärken",
            "aumentar a fidelidade dos clientes",
            "повысить лояльность клиентов",
            "增强客户忠诚度",
            "增強客戶忠誠度",
        ],
        Objective::RaiseConversion => &[
            "raise conversion",
            "Konversion steigern",
            "aumentar a conversão",
            "повысить конверсию",
            "提高转化率",
            "提高轉化率",
        ],
        Objective::ImproveService => &[
            "improve customer service",
            "Kundenservice verbessern",
            "melhorar o atendimento ao cliente",
            "улучшить обслуживание клиентов",
            "优化客户服务",
            "優化客戶服務",
        ],
        Objective::Custom(name) => {
            let shown: String = name.trim().chars().take(80).collect();
            return match locale {
                Locale::En | Locale::Pt => format!("\"{shown}\""),
                Locale::De => format!("„{shown}“"),
                Locale::Ru => format!("«{shown}»"),
                Locale::ZhHans | Locale::ZhHant => format!("“{shown}”"),
            };
        }
    };
    pick(table, locale).to_string()
}

/// "raise" / "lower" in the locale.
pub(crate) fn direction_word(direction: ChangeDirection, locale: Locale) -> &'static str {
    match direction {
        ChangeDirection::Increase => pick(
            &["raises", "erhöht", "aumenta", "повышает", "提高", "提高"],
            locale,
        ),
        ChangeDirection::Decrease => pick(
            &["lowers", "senkt", "reduz", "снижает", "降低", "降低"],
            locale,
        ),
    }
}
