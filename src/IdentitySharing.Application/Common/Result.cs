using System.Diagnostics.CodeAnalysis;

namespace IdentitySharing.Application.Common;

/// <summary>Lets generic pipeline behaviors build a failed result without knowing the value type.</summary>
public interface IResultFactory<out TSelf>
{
    static abstract TSelf Failure(Error error);
}

/// <summary>Lets generic pipeline behaviors read an outcome without knowing the value type.</summary>
public interface IResultOutcome
{
    /// <summary>The failure, or null on success.</summary>
    Error? Error { get; }
}

/// <summary>The outcome of a command: a value or an expected <see cref="Error"/>.</summary>
public readonly struct Result<T> : IResultFactory<Result<T>>, IResultOutcome
{
    private readonly T? _value;

    private Result(T? value, Error? error)
    {
        _value = value;
        Error = error;
    }

    public Error? Error { get; }

    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    /// <summary>The value; throws when the result is a failure (a programming error).</summary>
    public T Value => IsSuccess ? _value! : throw new InvalidOperationException($"No value: {Error.Reason}");

    public static Result<T> Success(T value) => new(value, null);

    public static Result<T> Failure(Error error) => new(default, error ?? throw new ArgumentNullException(nameof(error)));

#pragma warning disable CA2225 // implicit conversions keep handlers readable; Success/Failure are the named alternates
    public static implicit operator Result<T>(T value) => Success(value);
    public static implicit operator Result<T>(Error error) => Failure(error);
#pragma warning restore CA2225
}
