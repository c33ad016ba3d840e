//! The message and suggestion templates of every reason code, in the six
//! locales (en, de, pt, ru, zh-Hans, zh-Hant, in [`Locale::ALL`] order).
//!
//! Placeholders: `{kpi}` (KPI id), `{value}` (a value with its unit),
//! `{target}` (the target as a value, or as written), `{ratio}`, `{date}`,
//! `{days}`, `{direction}` (a verb: raises / lowers), `{objective}` and
//! `{text}` (text from the goal).

use super::codes::ReasonCode;
use super::locale::{Locale, pick};

type Table = [&'static str; 6];

/// The message template of `code` and, for a reason that asks for a change,
/// the suggestion template.
pub(crate) fn templates(code: ReasonCode, locale: Locale) -> (&'static str, Option<&'static str>) {
    let (message, suggestion) = table(code);
    (pick(message, locale), suggestion.map(|s| pick(s, locale)))
}

fn table(code: ReasonCode) -> (&'static Table, Option<&'static Table>) {
    use ReasonCode as C;
    match code {
        C::ActionPlanStated => (
            &[
                "the goal says what will be done",
                "das Ziel nennt konkrete Maßnahmen",
                "a meta diz o que será feito",
                "цель описывает, что конкретно будет сделано",
                "目标写明了将采取的行动",
                "目標寫明了將採取的行動",
            ],
            None,
        ),
        C::NoActionPlan => (
            &[
                "there is no action plan: nothing says what will be done to reach the goal",
                "es fehlt ein Aktionsplan: nichts sagt, was zur Erreichung des Ziels getan wird",
                "falta um plano de ação: nada diz o que será feito para atingir a meta",
                "нет плана действий: не сказано, что будет сделано для достижения цели",
                "缺少行动计划：没有说明将做什么来实现目标",
                "缺少行動計畫：沒有說明將做什麼來實現目標",
            ],
            Some(&[
                "add an action plan, e.g. \"improve communication between sales and support using the CRM\"",
                "ergänzen Sie einen Aktionsplan, z. B. „Abstimmung zwischen Vertrieb und Support über das CRM verbessern“",
                "acrescente um plano de ação, por exemplo \"melhorar a comunicação entre vendas e suporte com o CRM\"",
                "добавьте план действий, например «наладить через CRM обмен информацией между продажами и поддержкой»",
                "补充行动计划，例如“借助 CRM 改善销售与客服团队之间的沟通”",
                "補充行動計畫，例如「藉助 CRM 改善銷售與客服團隊之間的溝通」",
            ]),
        ),
        C::ActionPlanVague => (
            &[
                "the action plan is too short to say what will actually be done",
                "der Aktionsplan ist zu knapp, um zu zeigen, was tatsächlich getan wird",
                "o plano de ação é curto demais para mostrar o que será de fato feito",
                "план действий слишком краток: неясно, что именно будет сделано",
                "行动计划过于简略，看不出具体要做什么",
                "行動計畫過於簡略，看不出具體要做什麼",
            ],
            Some(&[
                "describe the actions in a full sentence: who does what, with which tool",
                "beschreiben Sie die Maßnahmen in einem ganzen Satz: wer tut was, mit welchem Werkzeug",
                "descreva as ações numa frase completa: quem faz o quê, com qual ferramenta",
                "опишите действия целым предложением: кто, что и с помощью какого инструмента делает",
                "用完整的句子描述行动：谁来做、做什么、用什么工具",
                "用完整的句子描述行動：誰來做、做什麼、用什麼工具",
            ]),
        ),
        C::NoOwner => (
            &[
                "nobody is named as responsible for the goal",
                "für das Ziel ist niemand als verantwortlich benannt",
                "ninguém foi indicado como responsável pela meta",
                "не указан ответственный за цель",
                "没有指定目标负责人",
                "沒有指定目標負責人",
            ],
            Some(&[
                "name an owner, a person or a team",
                "benennen Sie eine verantwortliche Person oder ein Team",
                "indique um responsável, uma pessoa ou uma equipe",
                "назначьте ответственного — сотрудника или команду",
                "指定一位负责人或一个团队",
                "指定一位負責人或一個團隊",
            ]),
        ),
        C::KpiMeasurable => (
            &[
                "measured by {kpi}, which crmkit computes from CRM data; target {target}",
                "gemessen an {kpi}, das crmkit aus den CRM-Daten berechnet; Zielwert {target}",
                "medida por {kpi}, que o crmkit calcula a partir dos dados do CRM; alvo {target}",
                "измеряется показателем {kpi}, который crmkit вычисляет по данным CRM; целевое значение {target}",
                "以 {kpi} 衡量，crmkit 可根据 CRM 数据计算；目标值 {target}",
                "以 {kpi} 衡量，crmkit 可根據 CRM 資料計算；目標值 {target}",
            ],
            None,
        ),
        C::NoKpi => (
            &[
                "no KPI is named, so there is no way to measure progress",
                "es ist keine Kennzahl (KPI) genannt, der Fortschritt lässt sich also nicht messen",
                "nenhum KPI foi indicado, então não há como medir o progresso",
                "не указан KPI, поэтому измерить прогресс невозможно",
                "没有指定 KPI，因此无法衡量进展",
                "沒有指定 KPI，因此無法衡量進展",
            ],
            Some(&[
                "pick the KPI that shows success, e.g. churn_rate for retention",
                "wählen Sie die Kennzahl, an der sich der Erfolg zeigt, z. B. churn_rate für die Kundenbindung",
                "escolha o KPI que mostra o sucesso, por exemplo churn_rate para a retenção",
                "выберите KPI, по которому виден успех, например churn_rate для удержания клиентов",
                "选择能体现成效的 KPI，例如衡量客户留存的 churn_rate",
                "選擇能體現成效的 KPI，例如衡量客戶留存的 churn_rate",
            ]),
        ),
        C::UnknownKpi => (
            &[
                "the KPI \"{text}\" is not one crmkit can compute",
                "die Kennzahl „{text}“ kann crmkit nicht berechnen",
                "o KPI \"{text}\" não é um que o crmkit saiba calcular",
                "показатель «{text}» crmkit вычислить не может",
                "crmkit 无法计算 KPI“{text}”",
                "crmkit 無法計算 KPI「{text}」",
            ],
            Some(&[
                "use a KPI id from the catalog (crmkit::kpi::catalog), such as churn_rate or win_rate",
                "verwenden Sie eine Kennzahl aus dem Katalog (crmkit::kpi::catalog), etwa churn_rate oder win_rate",
                "use um KPI do catálogo (crmkit::kpi::catalog), como churn_rate ou win_rate",
                "используйте показатель из каталога (crmkit::kpi::catalog), например churn_rate или win_rate",
                "请使用目录（crmkit::kpi::catalog）中的 KPI，例如 churn_rate 或 win_rate",
                "請使用目錄（crmkit::kpi::catalog）中的 KPI，例如 churn_rate 或 win_rate",
            ]),
        ),
        C::NoTarget => (
            &[
                "there is no target: nothing says what value counts as success",
                "es fehlt ein Zielwert: nichts sagt, welcher Wert als Erfolg gilt",
                "não há alvo: nada diz que valor conta como sucesso",
                "нет целевого значения: неясно, какой результат считать успехом",
                "没有目标值：未说明达到什么数值算成功",
                "沒有目標值：未說明達到什麼數值算成功",
            ],
            Some(&[
                "set a target value or change, e.g. \"-25%\" or 5",
                "legen Sie einen Zielwert oder eine Veränderung fest, z. B. „-25%“ oder 5",
                "defina um valor ou uma variação, por exemplo \"-25%\" ou 5",
                "задайте целевое значение или изменение, например «-25%» или 5",
                "设定目标值或变化幅度，例如“-25%”或 5",
                "設定目標值或變化幅度，例如「-25%」或 5",
            ]),
        ),
        C::TargetOutsideDomain => (
            &[
                "the target {target} is outside the possible values of {kpi}",
                "der Zielwert {target} liegt außerhalb der möglichen Werte von {kpi}",
                "o alvo {target} está fora dos valores possíveis de {kpi}",
                "целевое значение {target} вне допустимого диапазона {kpi}",
                "目标值 {target} 超出了 {kpi} 的可能取值范围",
                "目標值 {target} 超出了 {kpi} 的可能取值範圍",
            ],
            Some(&[
                "choose a target {kpi} can actually take (a rate lies between 0 and 100%)",
                "wählen Sie einen Wert, den {kpi} tatsächlich annehmen kann (eine Quote liegt zwischen 0 und 100 %)",
                "escolha um alvo que {kpi} possa de fato atingir (uma taxa fica entre 0 e 100%)",
                "выберите значение, которое {kpi} действительно может принять (доля лежит между 0 и 100%)",
                "请选择 {kpi} 实际可能达到的数值（比率介于 0 与 100% 之间）",
                "請選擇 {kpi} 實際可能達到的數值（比率介於 0 與 100% 之間）",
            ]),
        ),
        C::BaselineOutsideDomain => (
            &[
                "the baseline {value} is outside the possible values of {kpi}",
                "der Ausgangswert {value} liegt außerhalb der möglichen Werte von {kpi}",
                "o valor de partida {value} está fora dos valores possíveis de {kpi}",
                "исходное значение {value} вне допустимого диапазона {kpi}",
                "基线值 {value} 超出了 {kpi} 的可能取值范围",
                "基線值 {value} 超出了 {kpi} 的可能取值範圍",
            ],
            Some(&[
                "check the baseline: it should be a value {kpi} has actually had",
                "prüfen Sie den Ausgangswert: er sollte ein tatsächlich gemessener Wert von {kpi} sein",
                "verifique o valor de partida: deve ser um valor que {kpi} realmente teve",
                "проверьте исходное значение: это должно быть реально измеренное значение {kpi}",
                "请核对基线值：它应是 {kpi} 实际出现过的数值",
                "請核對基線值：它應是 {kpi} 實際出現過的數值",
            ]),
        ),
        C::TargetEqualsBaseline => (
            &[
                "the target does not change anything: it equals the baseline",
                "der Zielwert ändert nichts: er entspricht dem Ausgangswert",
                "o alvo não muda nada: é igual ao valor de partida",
                "цель ничего не меняет: она равна исходному значению",
                "目标值与基线相同，等于没有变化",
                "目標值與基線相同，等於沒有變化",
            ],
            Some(&[
                "set a target that differs from today's value",
                "legen Sie einen Zielwert fest, der sich vom heutigen Wert unterscheidet",
                "defina um alvo diferente do valor atual",
                "задайте цель, отличную от текущего значения",
                "设定一个不同于当前数值的目标",
                "設定一個不同於目前數值的目標",
            ]),
        ),
        C::DirectionContradictsTarget => (
            &[
                "the goal says it {direction} {kpi}, but the target {target} moves it the other way",
                "laut Ziel {direction} es {kpi}, aber der Zielwert {target} bewegt die Kennzahl in die andere Richtung",
                "a meta diz que {direction} {kpi}, mas o alvo {target} leva o indicador na direção oposta",
                "по формулировке цель {direction} {kpi}, но целевое значение {target} сдвигает показатель в обратную сторону",
                "目标声称要{direction} {kpi}，但目标值 {target} 却朝相反方向变化",
                "目標聲稱要{direction} {kpi}，但目標值 {target} 卻朝相反方向變化",
            ],
            Some(&[
                "make the direction and the target agree",
                "bringen Sie Richtung und Zielwert in Einklang",
                "faça a direção e o alvo concordarem",
                "согласуйте направление и целевое значение",
                "让方向与目标值保持一致",
                "讓方向與目標值保持一致",
            ]),
        ),
        C::BaselineFromMeasurements => (
            &[
                "no baseline is given: the change is measured from the first measurement",
                "kein Ausgangswert angegeben: die Veränderung wird ab der ersten Messung gerechnet",
                "sem valor de partida: a variação é medida a partir da primeira medição",
                "исходное значение не указано: изменение отсчитывается от первого измерения",
                "未提供基线：变化幅度从第一次测量开始计算",
                "未提供基線：變化幅度從第一次測量開始計算",
            ],
            Some(&[
                "record the baseline value and date so progress is unambiguous",
                "halten Sie Ausgangswert und Datum fest, damit der Fortschritt eindeutig ist",
                "registre o valor de partida e a data para que o progresso seja inequívoco",
                "зафиксируйте исходное значение и дату, чтобы прогресс был однозначным",
                "记录基线数值和日期，让进度一目了然",
                "記錄基線數值和日期，讓進度一目了然",
            ]),
        ),
        C::Achievable => (
            &[
                "nothing makes the target look out of reach, and the means are named",
                "nichts deutet darauf hin, dass das Ziel unerreichbar ist, und die Mittel sind genannt",
                "nada indica que o alvo seja inalcançável, e os meios estão indicados",
                "ничто не указывает на недостижимость цели, средства названы",
                "没有迹象表明目标无法实现，且已写明所需资源",
                "沒有跡象表明目標無法實現，且已寫明所需資源",
            ],
            None,
        ),
        C::WithinHistory => (
            &[
                "the required pace is {ratio}x the best quarter-on-quarter improvement seen so far",
                "das nötige Tempo beträgt das {ratio}-Fache der besten bisherigen Verbesserung von Quartal zu Quartal",
                "o ritmo necessário é {ratio} vezes a melhor melhoria trimestral já observada",
                "требуемый темп — {ratio} от лучшего квартального улучшения за историю",
                "所需速度是以往最佳季度环比改善的 {ratio} 倍",
                "所需速度是以往最佳季度環比改善的 {ratio} 倍",
            ],
            None,
        ),
        C::NoMeans => (
            &[
                "nothing says how the goal will be reached: no action plan, resources or tools",
                "nichts sagt, wie das Ziel erreicht werden soll: kein Aktionsplan, keine Ressourcen oder Werkzeuge",
                "nada diz como a meta será atingida: nem plano de ação, nem recursos ou ferramentas",
                "не сказано, как будет достигнута цель: нет ни плана действий, ни ресурсов, ни инструментов",
                "没有说明如何实现目标：既无行动计划，也无资源或工具",
                "沒有說明如何實現目標：既無行動計畫，也無資源或工具",
            ],
            Some(&[
                "name the resources and tools you will use, e.g. the CRM's automations",
                "nennen Sie die Ressourcen und Werkzeuge, die Sie einsetzen, z. B. die Automatisierungen des CRM",
                "indique os recursos e ferramentas que usará, por exemplo as automações do CRM",
                "укажите ресурсы и инструменты, например автоматизацию в CRM",
                "写明将投入的资源和工具，例如 CRM 的自动化功能",
                "寫明將投入的資源和工具，例如 CRM 的自動化功能",
            ]),
        ),
        C::NoResources => (
            &[
                "the plan names no resources or tools",
                "der Plan nennt keine Ressourcen oder Werkzeuge",
                "o plano não indica recursos nem ferramentas",
                "в плане не указаны ресурсы или инструменты",
                "计划中没有写明资源或工具",
                "計畫中沒有寫明資源或工具",
            ],
            Some(&[
                "list the people, budget or tools the plan relies on",
                "führen Sie die Personen, das Budget oder die Werkzeuge auf, auf die der Plan setzt",
                "liste as pessoas, o orçamento ou as ferramentas de que o plano depende",
                "перечислите людей, бюджет или инструменты, на которые опирается план",
                "列出计划所依赖的人员、预算或工具",
                "列出計畫所依賴的人員、預算或工具",
            ]),
        ),
        C::ImpossibleByDefinition => (
            &[
                "a target of {value} for {kpi} is the limit of what the KPI can show, which no real business reaches: some customers always leave, some deals are always lost",
                "ein Zielwert von {value} für {kpi} ist der theoretische Grenzwert dieser Kennzahl, den kein reales Unternehmen erreicht: einige Kunden gehen immer, einige Deals gehen immer verloren",
                "um alvo de {value} para {kpi} é o limite teórico do indicador, que nenhuma empresa real atinge: alguns clientes sempre saem, alguns negócios sempre se perdem",
                "значение {value} для {kpi} — теоретический предел показателя, недостижимый для реального бизнеса: часть клиентов уходит всегда, часть сделок всегда срывается",
                "{kpi} 的目标值 {value} 是该指标的理论极限，现实中没有企业能做到：总会有客户流失，也总会有丢单",
                "{kpi} 的目標值 {value} 是該指標的理論極限，現實中沒有企業能做到：總會有客戶流失，也總會有丟單",
            ],
            Some(&[
                "aim for a realistic improvement instead, e.g. \"-25%\" by the end of next quarter",
                "setzen Sie stattdessen eine realistische Verbesserung, z. B. „-25%“ bis Ende des nächsten Quartals",
                "busque uma melhoria realista, por exemplo \"-25%\" até o fim do próximo trimestre",
                "поставьте реалистичную цель, например «-25%» к концу следующего квартала",
                "改为设定现实的改进幅度，例如下季度末前“-25%”",
                "改為設定現實的改進幅度，例如下季度末前「-25%」",
            ]),
        ),
        C::BeyondHistory => (
            &[
                "needs {ratio}x the best quarter-on-quarter improvement seen in the history of {kpi}",
                "erfordert das {ratio}-Fache der besten Verbesserung von Quartal zu Quartal, die {kpi} bisher erreicht hat",
                "exige {ratio} vezes a melhor melhoria trimestral já registrada em {kpi}",
                "требует темпа в {ratio} раза выше лучшего квартального улучшения {kpi} за всю историю",
                "所需速度是 {kpi} 历史上最佳季度环比改善的 {ratio} 倍",
                "所需速度是 {kpi} 歷史上最佳季度環比改善的 {ratio} 倍",
            ],
            Some(&[
                "lower the target or move the deadline so the required pace is closer to what has been achieved",
                "senken Sie den Zielwert oder verschieben Sie die Frist, damit das nötige Tempo näher am bisher Erreichten liegt",
                "reduza o alvo ou adie o prazo para que o ritmo necessário fique mais próximo do já alcançado",
                "снизьте цель или перенесите срок, чтобы требуемый темп был ближе к уже достигнутому",
                "降低目标或推迟截止日期，使所需速度更接近过往实际水平",
                "降低目標或延後截止日期，使所需速度更接近過往實際水準",
            ]),
        ),
        C::FasterThanHistory => (
            &[
                "needs {ratio}x the best quarter-on-quarter improvement seen so far: ambitious",
                "erfordert das {ratio}-Fache der besten bisherigen Verbesserung von Quartal zu Quartal: ehrgeizig",
                "exige {ratio} vezes a melhor melhoria trimestral já vista: ambicioso",
                "требует темпа в {ratio} раза выше лучшего квартального улучшения: амбициозно",
                "所需速度是以往最佳季度环比改善的 {ratio} 倍，目标偏激进",
                "所需速度是以往最佳季度環比改善的 {ratio} 倍，目標偏激進",
            ],
            Some(&[
                "make sure the plan explains what will make this quarter better than the best so far",
                "der Plan sollte erklären, warum es diesmal schneller gehen wird als im besten Quartal bisher",
                "garanta que o plano explique por que desta vez será melhor do que no melhor trimestre",
                "в плане стоит объяснить, за счёт чего темп будет выше, чем в лучшем квартале",
                "计划中应说明为何这次能比以往最好的季度做得更好",
                "計畫中應說明為何這次能比以往最好的季度做得更好",
            ]),
        ),
        C::NeverImproved => (
            &[
                "the history of {kpi} shows no quarter-on-quarter improvement in the goal's direction",
                "der Verlauf von {kpi} zeigt keine Verbesserung von Quartal zu Quartal in Richtung des Ziels",
                "o histórico de {kpi} não mostra melhoria trimestral na direção da meta",
                "история {kpi} не показывает ни одного квартального улучшения в нужном направлении",
                "{kpi} 的历史数据中没有任何朝目标方向的季度环比改善",
                "{kpi} 的歷史資料中沒有任何朝目標方向的季度環比改善",
            ],
            Some(&[
                "explain what will change, or start with a smaller target",
                "erläutern Sie, was sich ändern wird, oder beginnen Sie mit einem kleineren Zielwert",
                "explique o que vai mudar ou comece com um alvo menor",
                "объясните, что изменится, или начните с более скромной цели",
                "说明将有何改变，或先设定较小的目标",
                "說明將有何改變，或先設定較小的目標",
            ]),
        ),
        C::HistoryTooShort => (
            &[
                "the history covers fewer than two quarters, too little to compare the pace with",
                "der Verlauf umfasst weniger als zwei Quartale, zu wenig für einen Tempovergleich",
                "o histórico cobre menos de dois trimestres, pouco para comparar o ritmo",
                "история охватывает меньше двух кварталов — этого мало для сравнения темпа",
                "历史数据不足两个季度，无法比较速度",
                "歷史資料不足兩個季度，無法比較速度",
            ],
            None,
        ),
        C::TargetAlreadyReached => (
            &[
                "the latest value {value} already meets the target",
                "der letzte Wert {value} erfüllt das Ziel bereits",
                "o valor mais recente, {value}, já atinge o alvo",
                "последнее значение {value} уже соответствует цели",
                "最新数值 {value} 已达到目标",
                "最新數值 {value} 已達到目標",
            ],
            Some(&[
                "set a more ambitious target",
                "setzen Sie einen ehrgeizigeren Zielwert",
                "defina um alvo mais ambicioso",
                "поставьте более амбициозную цель",
                "设定更有挑战性的目标",
                "設定更有挑戰性的目標",
            ]),
        ),
        C::CannotJudgeTarget => (
            &[
                "without a known KPI and a target, it cannot be judged whether the goal is realistic",
                "ohne bekannte Kennzahl und Zielwert lässt sich nicht beurteilen, ob das Ziel realistisch ist",
                "sem um KPI conhecido e um alvo, não dá para avaliar se a meta é realista",
                "без известного KPI и целевого значения нельзя оценить реалистичность цели",
                "缺少已知的 KPI 和目标值，无法判断目标是否现实",
                "缺少已知的 KPI 和目標值，無法判斷目標是否現實",
            ],
            Some(&[
                "name the KPI and the target value",
                "nennen Sie die Kennzahl und den Zielwert",
                "indique o KPI e o valor alvo",
                "укажите KPI и целевое значение",
                "写明 KPI 和目标值",
                "寫明 KPI 和目標值",
            ]),
        ),
        C::ServesObjective => (
            &[
                "the goal serves the objective: {objective}",
                "das Ziel dient dem Unternehmensziel: {objective}",
                "a meta serve ao objetivo: {objective}",
                "цель служит задаче бизнеса: {objective}",
                "该目标服务于业务目标：{objective}",
                "該目標服務於業務目標：{objective}",
            ],
            None,
        ),
        C::NoObjective => (
            &[
                "no business objective is given, so it cannot be told whether the goal matters",
                "es ist kein Unternehmensziel angegeben, daher lässt sich nicht sagen, ob das Ziel relevant ist",
                "nenhum objetivo de negócio foi informado, então não é possível dizer se a meta importa",
                "не указана задача бизнеса, поэтому нельзя судить, важна ли цель",
                "未说明业务目标，无法判断该目标是否重要",
                "未說明業務目標，無法判斷該目標是否重要",
            ],
            Some(&[
                "say which business objective it serves, e.g. increase retention",
                "geben Sie an, welchem Unternehmensziel es dient, z. B. Kundenbindung erhöhen",
                "diga a qual objetivo de negócio ela serve, por exemplo aumentar a retenção de clientes",
                "укажите, какой задаче бизнеса она служит, например повышению удержания клиентов",
                "说明它服务于哪个业务目标，例如提高客户留存",
                "說明它服務於哪個業務目標，例如提高客戶留存",
            ]),
        ),
        C::AgainstObjective => (
            &[
                "the target {direction} {kpi}, which works against the objective: {objective}",
                "der Zielwert {direction} {kpi} und wirkt damit gegen das Unternehmensziel: {objective}",
                "o alvo {direction} {kpi}, o que vai contra o objetivo: {objective}",
                "цель {direction} {kpi}, что противоречит задаче бизнеса: {objective}",
                "该目标会{direction} {kpi}，与业务目标相悖：{objective}",
                "該目標會{direction} {kpi}，與業務目標相悖：{objective}",
            ],
            Some(&[
                "reverse the target so that {kpi} moves in its better direction",
                "kehren Sie den Zielwert um, damit sich {kpi} in die günstige Richtung bewegt",
                "inverta o alvo para que {kpi} se mova na direção favorável",
                "измените цель так, чтобы {kpi} двигался в лучшую сторону",
                "调整目标，使 {kpi} 朝有利方向变化",
                "調整目標，使 {kpi} 朝有利方向變化",
            ]),
        ),
        C::KpiUnrelated => (
            &[
                "{kpi} is not a KPI usually linked to the objective: {objective}",
                "{kpi} ist keine Kennzahl, die üblicherweise mit dem Unternehmensziel verbunden ist: {objective}",
                "{kpi} não é um KPI normalmente ligado ao objetivo: {objective}",
                "{kpi} обычно не связан с задачей бизнеса: {objective}",
                "{kpi} 通常与该业务目标无关：{objective}",
                "{kpi} 通常與該業務目標無關：{objective}",
            ],
            Some(&[
                "explain in the reason how {kpi} serves the objective, or pick a closer KPI",
                "erklären Sie in der Begründung, wie {kpi} dem Ziel dient, oder wählen Sie eine passendere Kennzahl",
                "explique na justificativa como {kpi} serve ao objetivo ou escolha um KPI mais próximo",
                "поясните в обосновании, как {kpi} служит задаче, или выберите более подходящий KPI",
                "在理由中说明 {kpi} 如何服务于该目标，或换一个更贴切的 KPI",
                "在理由中說明 {kpi} 如何服務於該目標，或換一個更貼切的 KPI",
            ]),
        ),
        C::CustomObjective => (
            &[
                "the goal serves a custom objective, {objective}; its link to the KPI is taken as stated",
                "das Ziel dient einem eigenen Unternehmensziel, {objective}; der Bezug zur Kennzahl wird so übernommen",
                "a meta serve a um objetivo próprio, {objective}; a ligação com o KPI é aceita como declarada",
                "цель служит собственной задаче бизнеса {objective}; связь с KPI принимается как указано",
                "该目标服务于自定义业务目标 {objective}；其与 KPI 的关联按所述采信",
                "該目標服務於自訂業務目標 {objective}；其與 KPI 的關聯按所述採信",
            ],
            None,
        ),
        C::NoReason => (
            &[
                "the goal does not say why it matters",
                "das Ziel sagt nicht, warum es wichtig ist",
                "a meta não diz por que é importante",
                "не сказано, почему эта цель важна",
                "目标没有说明其重要性",
                "目標沒有說明其重要性",
            ],
            Some(&[
                "add a sentence on why it matters, e.g. \"repeat customers spend more and cost less\"",
                "ergänzen Sie einen Satz zur Bedeutung, z. B. „Stammkunden bringen mehr Umsatz bei geringeren Kosten“",
                "acrescente uma frase sobre a importância, por exemplo \"clientes recorrentes gastam mais e custam menos\"",
                "добавьте фразу о том, почему это важно, например «постоянные клиенты тратят больше и обходятся дешевле»",
                "补充一句说明其重要性，例如“老客户消费更多、维护成本更低”",
                "補充一句說明其重要性，例如「老客戶消費更多、維護成本更低」",
            ]),
        ),
        C::DeadlineSet => (
            &[
                "deadline {date}, {days} days from now",
                "Frist {date}, in {days} Tagen",
                "prazo {date}, daqui a {days} dias",
                "срок {date}, через {days} дн.",
                "截止日期 {date}，距今 {days} 天",
                "截止日期 {date}，距今 {days} 天",
            ],
            None,
        ),
        C::NoDeadline => (
            &[
                "there is no deadline",
                "es gibt keine Frist",
                "não há prazo",
                "не указан срок",
                "没有截止日期",
                "沒有截止日期",
            ],
            Some(&[
                "add a deadline such as \"end of next quarter\"",
                "legen Sie eine Frist fest, z. B. „end of next quarter“ (Ende des nächsten Quartals)",
                "defina um prazo, por exemplo \"end of next quarter\" (fim do próximo trimestre)",
                "добавьте срок, например «end of next quarter» (конец следующего квартала)",
                "设定截止日期，例如“end of next quarter”（下季度末）",
                "設定截止日期，例如「end of next quarter」（下季度末）",
            ]),
        ),
        C::DeadlinePassed => (
            &[
                "the deadline {date} has already passed",
                "die Frist {date} ist bereits abgelaufen",
                "o prazo {date} já passou",
                "срок {date} уже прошёл",
                "截止日期 {date} 已过",
                "截止日期 {date} 已過",
            ],
            Some(&[
                "set a deadline in the future, or close this goal and set a new one",
                "setzen Sie eine Frist in der Zukunft oder schließen Sie das Ziel ab und setzen Sie ein neues",
                "defina um prazo futuro ou encerre esta meta e crie outra",
                "назначьте срок в будущем или закройте цель и поставьте новую",
                "设定一个未来的截止日期，或结束此目标并设立新目标",
                "設定一個未來的截止日期，或結束此目標並設立新目標",
            ]),
        ),
        C::DeadlineTooFar => (
            &[
                "the deadline {date} is {days} days away, too far to steer by",
                "die Frist {date} liegt {days} Tage entfernt, zu weit, um sich daran auszurichten",
                "o prazo {date} está a {days} dias, longe demais para orientar o trabalho",
                "срок {date} наступит через {days} дн. — слишком далеко, чтобы на него ориентироваться",
                "截止日期 {date} 还有 {days} 天，过于遥远，难以指导行动",
                "截止日期 {date} 還有 {days} 天，過於遙遠，難以指導行動",
            ],
            Some(&[
                "split it into yearly or quarterly goals with nearer deadlines",
                "teilen Sie es in Jahres- oder Quartalsziele mit näheren Fristen auf",
                "divida-a em metas anuais ou trimestrais com prazos mais próximos",
                "разбейте её на годовые или квартальные цели с более близкими сроками",
                "拆分为期限更近的年度或季度目标",
                "拆分為期限更近的年度或季度目標",
            ]),
        ),
        C::DeadlineFar => (
            &[
                "the deadline {date} is {days} days away; progress will be hard to follow",
                "die Frist {date} liegt {days} Tage entfernt; der Fortschritt wird schwer zu verfolgen sein",
                "o prazo {date} está a {days} dias; será difícil acompanhar o progresso",
                "срок {date} наступит через {days} дн.; за прогрессом будет трудно следить",
                "截止日期 {date} 还有 {days} 天，进度将难以跟踪",
                "截止日期 {date} 還有 {days} 天，進度將難以追蹤",
            ],
            Some(&[
                "add intermediate milestones, e.g. one per quarter",
                "setzen Sie Zwischenziele, z. B. eines pro Quartal",
                "acrescente marcos intermediários, por exemplo um por trimestre",
                "добавьте промежуточные вехи, например по одной на квартал",
                "增设阶段性里程碑，例如每季度一个",
                "增設階段性里程碑，例如每季度一個",
            ]),
        ),
        C::DeadlineUnresolvable => (
            &[
                "the deadline \"{text}\" falls outside the supported range of dates",
                "die Frist „{text}“ liegt außerhalb des unterstützten Datumsbereichs",
                "o prazo \"{text}\" fica fora do intervalo de datas suportado",
                "срок «{text}» выходит за пределы поддерживаемого диапазона дат",
                "截止日期“{text}”超出了支持的日期范围",
                "截止日期「{text}」超出了支援的日期範圍",
            ],
            Some(&[
                "use a date as YYYY-MM-DD or a form such as \"end of next quarter\"",
                "verwenden Sie ein Datum als JJJJ-MM-TT oder eine Form wie „end of next quarter“",
                "use uma data AAAA-MM-DD ou uma forma como \"end of next quarter\"",
                "используйте дату в формате ГГГГ-ММ-ДД или форму вроде «end of next quarter»",
                "请使用 YYYY-MM-DD 格式的日期或“end of next quarter”这类写法",
                "請使用 YYYY-MM-DD 格式的日期或「end of next quarter」這類寫法",
            ]),
        ),
        C::BaselineAfterDeadline => (
            &[
                "the baseline was measured on {date}, after the deadline",
                "der Ausgangswert wurde am {date} gemessen, nach der Frist",
                "o valor de partida foi medido em {date}, depois do prazo",
                "исходное значение измерено {date}, уже после срока",
                "基线测量日期 {date} 晚于截止日期",
                "基線測量日期 {date} 晚於截止日期",
            ],
            Some(&[
                "check the baseline date and the deadline",
                "prüfen Sie das Datum des Ausgangswerts und die Frist",
                "verifique a data do valor de partida e o prazo",
                "проверьте дату исходного значения и срок",
                "请核对基线日期和截止日期",
                "請核對基線日期和截止日期",
            ]),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_message_in_every_locale_and_a_suggestion_when_it_is_not_good_news() {
        use super::super::codes::Severity;
        for &code in ReasonCode::ALL {
            for locale in Locale::ALL {
                let (message, suggestion) = templates(code, locale);
                assert!(!message.trim().is_empty(), "{code} {locale}");
                if matches!(
                    code.severity(),
                    Severity::Fail | Severity::Warn | Severity::CannotTell
                ) {
                    assert!(suggestion.is_some_and(|s| !s.is_empty()), "{code} {locale}");
                }
            }
        }
    }

    #[test]
    fn translations_differ_from_english() {
        for &code in ReasonCode::ALL {
            let (en, _) = templates(code, Locale::En);
            for locale in [Locale::De, Locale::Pt, Locale::Ru, Locale::ZhHans] {
                assert_ne!(templates(code, locale).0, en, "{code} {locale}");
            }
        }
    }
}
