// Package mcp serves contextapi's use cases to AI agents over the Model Context
// Protocol (docs/api.md, "MCP tools"), with the official Go SDK: six tools with input
// and output JSON schemas, structured results and a short text rendering a language
// model reads well.
//
// The tools are defined once, over Backend. Service implements it over *app.Service
// (the HTTP adapter's service: no rule lives only here), Remote over the public Go
// client, for `contextapi mcp`, which serves the same tools on stdio to a local agent
// from a running service.
package mcp
