//! `schema output`: the JSON Schemas of every report the tool writes (`--format json` documents
//! and `--report` files), so CI users can validate what they parse.

use crate::exit::CliError;
use crate::settings::Settings;

pub fn output(settings: &Settings) -> Result<(), CliError> {
    let schemas = crate::report::output_schemas();
    let text = match settings.printer.format() {
        crate::cli::Format::Yaml => crate::printer::to_yaml(&schemas),
        _ => serde_json::to_string_pretty(&schemas).map_err(std::io::Error::other)?,
    };
    settings.printer.data(&text)?;
    Ok(())
}
