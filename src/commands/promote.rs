//! `promote --from ENV --to ENV [KIND:ID...]`: the source's live resources become the desired
//! state of the target, planned against the target's live state and written through the same
//! write half as `apply` (guards, protected confirmation, lock, backup, audit, `--max-deletes`).
//! Nothing is deleted without `--prune`. A named resource brings along what it references that
//! the target lacks (a tenant's default roles, their permissions). Flows' connector references
//! are re-linked to the target's connectors of the same name; one the target lacks stops the run
//! (exit 3).

use std::time::Instant;

use descope_mgmt_core::cross_project::{
    connector_names, connectors_in_snapshot, map_project_id, relink_connectors,
    with_missing_references,
};
use descope_mgmt_core::plan::{
    PlanOptions, ResourceKind, ResourceRef, ResourceSet, plan, refusals,
};

use crate::cli::PromoteArgs;
use crate::connect::Connected;
use crate::exit::{CliError, Exit};
use crate::pipeline::snapshot::{Side, with_sides};
use crate::pipeline::{self, Planned, Selection, write};
use crate::settings::{Settings, WriteSettings};

const LIVE_ONLY: &str = "promote copies between live environments; `config:ENV` is for `diff` \
     (use `apply` to write a configuration)";

pub fn run(settings: &Settings, args: &PromoteArgs) -> Result<Exit, CliError> {
    let (from, to) = (Side::parse(&args.from), Side::parse(&args.to));
    if !matches!((&from, &to), (Side::Live(_), Side::Live(_))) {
        return Err(CliError::new(Exit::Usage, LIVE_ONLY));
    }
    if from == to {
        return Err(CliError::new(
            Exit::Usage,
            format!("--from and --to both name `{}`", from.env()),
        ));
    }
    let flags = WriteSettings::resolve(&args.write);
    let started = Instant::now();
    let selection = Selection::all_kinds(&args.resources, None, args.prune);
    with_sides(settings, &from, &to, async |source, target| {
        let (Some(_), Some(connected)) = (source.connected, target.connected) else {
            return Err(CliError::new(Exit::Usage, LIVE_ONLY));
        };
        let kinds = selection.kind_list();
        let desired = source.state(&kinds).await?;
        let mut desired = map_project_id(desired, source.project_id(), target.project_id());
        // Built-ins of the target that the source lacks are Descope's: left out, never pruned.
        // Only the target's flows the promotion may change are exported (all with --prune).
        let flow_reads = pipeline::FlowReads {
            ids: desired.flows.iter().map(|flow| flow.id.clone()).collect(),
            prunable: selection.prune,
        };
        let live = pipeline::read_live(
            connected.client(),
            &kinds,
            &mut desired,
            selection.prune,
            to.env(),
            Some(&flow_reads),
        )
        .await?;
        let partial_kinds = live.partial_kinds();
        let pipeline::Live {
            actual, documents, ..
        } = live;
        check_named_resources_exist(&selection, &desired, from.env())?;
        let mut selection = selection.clone();
        if let Some(named) = &selection.targets {
            // A tenant copied without the role it names would fail in the target.
            selection.targets = Some(with_missing_references(named, &desired, &actual));
        }
        let options = selection.options(source.config);
        relink_flows(&mut desired, &options, connected).await?;
        let refused = refusals(&desired, &actual, &options);
        if !refused.is_empty() {
            return Err(CliError::new(
                Exit::Refused,
                format!("cannot promote to `{}`: {}", to.env(), refused.join("; ")),
            ));
        }
        let planned = Planned {
            env: to.env().to_owned(),
            protected: connected.env().protected(),
            plan: plan(&desired, &actual, &options),
            client: connected.client().clone(),
            kinds,
            concurrency: connected.env().concurrency(),
            pacing: connected.env().pacing(),
            read_requests: connected.client().stats().requests,
            live: pipeline::whole_live_state(actual, documents),
            partial_kinds,
        };
        write::run(settings, &planned, &flags, started).await
    })
}

/// A `KIND:ID` the source does not have would otherwise promote nothing and say "no changes".
fn check_named_resources_exist(
    selection: &Selection,
    source: &ResourceSet,
    env: &str,
) -> Result<(), CliError> {
    let missing: Vec<String> = selection
        .targets
        .iter()
        .flatten()
        .filter(|named| {
            !source
                .iter_any()
                .any(|resource| resource.reference() == **named)
        })
        .map(ResourceRef::to_string)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(CliError::new(
        Exit::Usage,
        format!("no such resource live in `{env}`: {}", missing.join(", ")),
    ))
}

/// Points the connector references of the promoted flows at the target's connectors, read from
/// the target's snapshot: one call, made only when a promoted flow references a connector.
async fn relink_flows(
    desired: &mut ResourceSet,
    options: &PlanOptions,
    target: &Connected,
) -> Result<(), CliError> {
    desired
        .flows
        .retain(|flow| options.includes(&ResourceRef::new(ResourceKind::Flow, &flow.id)));
    if desired
        .flows
        .iter()
        .all(|flow| connector_names(flow).is_empty())
    {
        return Ok(());
    }
    let files = target
        .client()
        .project()
        .export_snapshot(None)
        .await
        .map_err(|error| target.api_error(error))?;
    relink_connectors(&mut desired.flows, &connectors_in_snapshot(&files)).map_err(|missing| {
        let lines: Vec<String> = missing.iter().map(ToString::to_string).collect();
        CliError::new(
            Exit::ConfigInvalid,
            format!(
                "cannot promote to `{}`: {}; nothing was sent",
                target.env_name(),
                lines.join("; ")
            ),
        )
        .with_hint("create the connector in the target project (same name), then promote again")
    })
}
