namespace IdentitySharing.Application.Common;

/// <summary>
/// Checks a command's fields before its handler runs. Reports every bad field at once, named
/// as in the proto contract; an empty list means the command is valid.
/// </summary>
public interface IValidator<in TCommand>
{
    IReadOnlyList<FieldViolation> Validate(TCommand command);
}
