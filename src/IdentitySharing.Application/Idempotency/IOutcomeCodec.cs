using System.Text.Json;
using IdentitySharing.Application.Common;

namespace IdentitySharing.Application.Idempotency;

/// <summary>Turns one use case's outcome into the text an idempotency record stores, and back.</summary>
public interface IOutcomeCodec<TValue>
{
    string Encode(Result<TValue> outcome);

    Result<TValue> Decode(string stored);
}

/// <summary>
/// Stores an outcome as JSON: a small DTO per use case for the value (domain value objects have
/// no public constructors, and the stored shape must not change when they do), or the error.
/// </summary>
public abstract class JsonOutcomeCodec<TValue, TDto> : IOutcomeCodec<TValue>
    where TDto : class
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    protected abstract TDto ToDto(TValue value);

    protected abstract TValue FromDto(TDto dto);

    public string Encode(Result<TValue> outcome) =>
        JsonSerializer.Serialize(outcome.IsSuccess
            ? new Envelope(ToDto(outcome.Value), null)
            : new Envelope(null, StoredError.From(outcome.Error)), Json);

    public Result<TValue> Decode(string stored)
    {
        var envelope = JsonSerializer.Deserialize<Envelope>(stored, Json)
            ?? throw new InvalidOperationException("Empty idempotency outcome");
        return envelope switch
        {
            { Error: { } error } => error.ToError(),
            { Value: { } value } => FromDto(value),
            _ => throw new InvalidOperationException("Idempotency outcome holds neither a value nor an error"),
        };
    }

    private sealed record Envelope(TDto? Value, StoredError? Error);
}

/// <summary>An <see cref="Error"/> as stored: everything the caller was told, nothing more.</summary>
public sealed record StoredError(
    ErrorKind Kind,
    string Reason,
    string Message,
    IReadOnlyList<FieldViolation>? FieldViolations,
    UpstreamFailure? Upstream)
{
    public static StoredError From(Error error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new(error.Kind, error.Reason, error.Message, error.FieldViolations, error.Upstream);
    }

    // RetryAfter is not kept: only terminal failures are stored, and retrying them cannot help.
    public Error ToError() => new(Kind, Reason, Message) { FieldViolations = FieldViolations ?? [], Upstream = Upstream };
}
