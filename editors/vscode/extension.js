// Starts `regula lsp` for .regula files and for the YAML files that `regula.yamlSpecs` names.
// Everything else (diagnostics, quick fixes, hover, completion, outline, formatting, inlay hints,
// definitions, references) comes from the server; see the repository's README, "Editor support".
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration('regula');
  const command = config.get('path', 'regula');
  const serverOptions = {
    run: { command, args: ['lsp'] },
    debug: { command, args: ['lsp'] },
  };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'regula' },
      { scheme: 'file', language: 'yaml', pattern: config.get('yamlSpecs', '**/specs/**/*.{yaml,yml}') },
    ],
  };
  client = new LanguageClient('regula', 'Regula', serverOptions, clientOptions);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
