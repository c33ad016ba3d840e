//! The sample company's fixed records, drawn first: currencies and rates,
//! teams, reps, the sales pipeline, the first-pass campaigns, monthly
//! spend and the companies the contacts work for.

use std::collections::BTreeSet;

use chrono::Duration;
use rust_decimal::Decimal;

use super::{Generator, INDUSTRIES, STAGES, TERRITORIES, currency, id};
use crate::Result;
use crate::calendar::FiscalCalendar;
use crate::model::*;
use crate::money::{ExchangeRates, Money, Percent};

impl Generator<'_> {
    pub(super) fn setup(&mut self) -> Result<()> {
        let usd = currency("USD")?;
        let mut rates = ExchangeRates::new(usd);
        rates.set(currency("EUR")?, Decimal::new(108, 2))?;
        rates.set(currency("GBP")?, Decimal::new(127, 2))?;
        self.parts.reporting_currency = Some(usd);
        self.parts.exchange_rates = Some(rates);
        self.parts.fiscal_calendar = FiscalCalendar::default();
        for (team, name) in [
            ("east", "Team East"),
            ("west", "Team West"),
            ("support", "Customer Support"),
        ] {
            self.parts.teams.push(Team {
                id: id(team.to_string())?,
                name: name.to_string(),
            });
        }
        let reps = [
            ("R-1", "Ana Souza", "east", "north"),
            ("R-2", "Ben Miller", "east", "south"),
            ("R-3", "Chen Wei", "west", "west"),
            ("R-4", "Dana Petrova", "west", "north"),
            ("R-5", "Eli Schmidt", "support", "south"),
            ("R-6", "Fay Lin", "support", "west"),
        ];
        for (rep, name, team, territory) in reps {
            self.parts.reps.push(SalesRep {
                id: id(rep.to_string())?,
                name: name.to_string(),
                email: Some(format!(
                    "{}@example.com",
                    name.to_lowercase().replace(' ', ".")
                )),
                team: Some(id(team.to_string())?),
                territories: vec![territory.to_string()],
                active: true,
            });
        }
        let stages = STAGES
            .iter()
            .map(|(sid, name, p, kind)| {
                Ok(Stage {
                    id: id(sid.to_string())?,
                    name: name.to_string(),
                    probability: Percent::new(*p)?,
                    kind: *kind,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        self.parts.pipelines.push(Pipeline {
            id: id("sales".to_string())?,
            name: "Sales".to_string(),
            stages,
        });
        let campaigns = [
            (
                "CMP-1",
                "Spring webinar",
                Channel::Email,
                CampaignPurpose::Acquisition,
                4_000,
            ),
            (
                "CMP-2",
                "Search ads",
                Channel::Search,
                CampaignPurpose::Acquisition,
                12_000,
            ),
            (
                "CMP-3",
                "Trade show",
                Channel::Events,
                CampaignPurpose::Acquisition,
                9_500,
            ),
            (
                "CMP-4",
                "Nurture series",
                Channel::Email,
                CampaignPurpose::Nurture,
                1_500,
            ),
            (
                "CMP-5",
                "Welcome series",
                Channel::Email,
                CampaignPurpose::Welcome,
                800,
            ),
            (
                "CMP-6",
                "Referral programme",
                Channel::Referral,
                CampaignPurpose::Retention,
                2_500,
            ),
        ];
        for (k, (cid, name, channel, purpose, cost)) in campaigns.into_iter().enumerate() {
            let begin = self.config.start + Duration::days(k as i64 * self.config.days / 8);
            self.parts.campaigns.push(Campaign {
                id: id(cid.to_string())?,
                name: name.to_string(),
                channel,
                purpose,
                cost: Money::new(Decimal::from(cost), usd),
                start: begin,
                end: begin + Duration::days(self.config.days / 4),
            });
        }
        for month in 0..(self.config.days / 30) {
            let date = self.config.start + Duration::days(month * 30);
            for (category, kind, amount, team) in [
                (
                    SpendCategory::Marketing,
                    SpendKind::Advertising,
                    1_500,
                    None,
                ),
                (SpendCategory::Marketing, SpendKind::Salaries, 9_000, None),
                (
                    SpendCategory::Sales,
                    SpendKind::Salaries,
                    16_000,
                    Some("east"),
                ),
                (SpendCategory::Sales, SpendKind::Tools, 600, Some("west")),
            ] {
                let n = self.parts.spend.len() + 1;
                self.parts.spend.push(SpendEntry {
                    id: id(format!("S-{n}"))?,
                    date,
                    category,
                    kind,
                    amount: Money::new(Decimal::from(amount), usd),
                    campaign: None,
                    team: team.map(|t| id(t.to_string())).transpose()?,
                });
            }
        }
        for k in 0..self.config.companies {
            let employees = self.rng.range(5, 5_000) as u32;
            let industry = self.rng.pick(&INDUSTRIES).copied().unwrap_or("software");
            let territory = self.rng.pick(&TERRITORIES).copied().unwrap_or("north");
            let revenue = self.money(200_000, 80_000_000, usd);
            self.parts.companies.push(Company {
                id: id(format!("CO-{:03}", k + 1))?,
                name: format!("Company {:03}", k + 1),
                industry: Some(industry.to_string()),
                employees: Some(employees),
                annual_revenue: Some(revenue.round_dp(0)),
                country: Some(["US", "DE", "GB", "BR"][k % 4].to_string()),
                territory: Some(territory.to_string()),
                owner: None,
                created_at: Some(self.start),
                tags: BTreeSet::new(),
                attributes: Default::default(),
            });
        }
        Ok(())
    }
}
