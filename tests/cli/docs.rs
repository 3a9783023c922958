//! The documentation is tested: its TOML parses, its codes are complete, and
//! the README shows what the README's command really prints.

use std::path::Path;

use crate::common::Workdir;

fn repository(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn documents() -> Vec<(String, String)> {
    let mut documents = vec![("README.md".to_string(), repository("README.md"))];
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    let mut names: Vec<_> = std::fs::read_dir(docs).unwrap().map(|entry| entry.unwrap().file_name()).collect();
    names.sort();
    for name in names {
        let name = format!("docs/{}", name.to_string_lossy());
        documents.push((name.clone(), repository(&name)));
    }
    documents
}

/// The fenced blocks of one language in a Markdown text.
fn blocks<'a>(markdown: &'a str, language: &str) -> Vec<&'a str> {
    let fence = format!("```{language}\n");
    let mut found = Vec::new();
    let mut rest = markdown;
    while let Some(start) = rest.find(&fence) {
        let body = &rest[start + fence.len()..];
        let end = body.find("```").expect("closed fence");
        found.push(&body[..end]);
        rest = &body[end + 3..];
    }
    found
}

/// The sections of migration.toml a docs block may show alone.
const PROJECT_SECTIONS: &[&str] = &["target", "matching", "survivorship"];

#[test]
fn every_toml_block_in_the_docs_is_a_valid_project_or_mapping() {
    let mut checked = 0;
    for (name, text) in documents() {
        for block in blocks(&text, "toml") {
            // A fragment of migration.toml (one section) is checked inside a
            // whole project with the sources the docs' examples name.
            let fragment;
            let block = if PROJECT_SECTIONS.iter().any(|section| block.starts_with(&format!("[{section}]"))) {
                fragment = format!(
                    "[project]\nname = \"fragment\"\n{block}\n\
                     [[source]]\nname = \"pm\"\nfile = \"a.csv\"\nmapping = \"a.toml\"\n\
                     [[source]]\nname = \"old_emr\"\nfile = \"b.csv\"\nmapping = \"b.toml\"\n"
                );
                fragment.as_str()
            } else {
                block
            };
            if block.contains("[project]") || block.contains("[[source]]") {
                let table: toml::Table =
                    toml::from_str(block).unwrap_or_else(|error| panic!("{name}: {error}\n{block}"));
                for key in table.keys() {
                    assert!(
                        ["project", "target", "matching", "survivorship", "source"].contains(&key.as_str()),
                        "{name}: `{key}`"
                    );
                }
                // The real loader, so that every setting shown is one it accepts.
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("migration.toml");
                std::fs::write(&path, block).unwrap();
                // The loader wants each source's files to exist; empty ones do.
                for source in table.get("source").and_then(|s| s.as_array()).into_iter().flatten() {
                    for key in ["file", "mapping"] {
                        if let Some(file) = source.get(key).and_then(|f| f.as_str()) {
                            let file = dir.path().join(file);
                            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                            std::fs::write(file, "").unwrap();
                        }
                    }
                }
                if let Err(error) = emr_migrate::project::Project::load(&path) {
                    panic!("{name}: {error}\n{block}");
                }
            } else {
                toml::from_str::<emr_migrate::mapping::MappingFile>(block)
                    .unwrap_or_else(|error| panic!("{name}: {error}\n{block}"));
            }
            checked += 1;
        }
    }
    assert!(checked >= 7, "only {checked} blocks found");
}

#[test]
fn every_issue_code_is_documented() {
    let doc = repository("docs/issues.md");
    for code in emr_migrate::issue::IssueCode::ALL {
        let row = format!("| `{}` |", code.as_str());
        assert!(doc.contains(&row), "docs/issues.md lacks {code}");
        assert!(doc.contains(code.summary()), "docs/issues.md words {code} differently from the code");
    }
}

#[test]
fn readme_commands_are_the_ones_ci_runs_and_its_output_is_real() {
    let readme = repository("README.md");
    let command = "cargo run --release -- run fixtures/demo/migration.toml --db demo.sqlite --out demo-report";
    assert!(readme.contains(command));
    assert!(readme.contains("\ncargo test\n"));
    assert!(repository(".ci/run").contains("\ncargo test\n"));

    let wd = Workdir::with_fixture_at("demo", "fixtures/demo");
    let run = wd.run(&["run", "fixtures/demo/migration.toml", "--db", "demo.sqlite", "--out", "demo-report"]);
    run.assert_success();
    let shown = blocks(&readme, "text")[0];
    assert_eq!(run.stdout, shown, "README's output block is out of date");
}

#[test]
fn docs_synth_states_every_rate_of_the_model() {
    let doc = repository("docs/synth.md");
    for (name, rate) in emr_migrate::synth::rates() {
        let row = format!("| `{name}` | {} |", emr_migrate::synth::percent(rate));
        assert!(doc.contains(&row), "docs/synth.md lacks the row `{row}`");
    }
}
