namespace OpenEvent.Rules.Events;

/// <summary>Where an event came from: the input file (or "-" / "request") and its 0-based position in it.</summary>
public readonly record struct EventOrigin(string File, int Index);

/// <summary>
/// Why an input could not be evaluated. <see cref="Id"/> is stable (invalid-json, invalid-utf8, too-deep,
/// duplicate-key, too-large, not-an-object, missing-type, missing-id, data-not-object, ...).
/// </summary>
public sealed record EventError(string Id, string Message);
