using System.Text.RegularExpressions;

namespace FoodCommunity.Domain.Accounts;

/// <summary>What makes a username, an e-mail address, a password and a profile text acceptable.</summary>
public static partial class AccountRules
{
    public const int UsernameMinLength = 3;
    public const int UsernameMaxLength = 30;
    public const int PasswordMinLength = 10;
    public const int PasswordMaxLength = 128;
    public const int EmailMaxLength = 254;
    public const int DisplayNameMaxLength = 50;
    public const int BioMaxLength = 300;

    /// <summary>
    /// Usernames are stored lower-case, so "Alice" and "alice" are one account. Mobile keyboards
    /// capitalise the first letter, so input is lower-cased rather than refused.
    /// </summary>
    public static string NormalizeUsername(string username) => username.Trim().ToLowerInvariant();

    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();

    /// <summary>Checks an already normalised username; null when it is acceptable.</summary>
    public static string? DescribeUsernameProblem(string normalized) => normalized.Length switch
    {
        < UsernameMinLength or > UsernameMaxLength =>
            $"A username has {UsernameMinLength} to {UsernameMaxLength} characters.",
        _ when !UsernamePattern().IsMatch(normalized) =>
            "A username may contain only letters a-z, digits, '_' and '.'.",
        _ => null,
    };

    public static string? DescribePasswordProblem(string password) =>
        password.Length is < PasswordMinLength or > PasswordMaxLength
            ? $"A password has {PasswordMinLength} to {PasswordMaxLength} characters."
            : null;

    /// <summary>
    /// Deliberately loose (one '@', something on both sides, a dot in the domain): the only real
    /// proof of an address is mail that arrives, and strict patterns refuse valid addresses.
    /// </summary>
    public static string? DescribeEmailProblem(string normalized) =>
        normalized.Length <= EmailMaxLength && EmailPattern().IsMatch(normalized)
            ? null
            : "Enter a valid e-mail address.";

    public static string? DescribeDisplayNameProblem(string displayName) =>
        displayName.Trim().Length is 0 or > DisplayNameMaxLength || displayName.Any(char.IsControl)
            ? $"A display name has 1 to {DisplayNameMaxLength} characters, without control characters."
            : null;

    public static string? DescribeBioProblem(string bio) =>
        bio.Length > BioMaxLength ? $"A bio has at most {BioMaxLength} characters." : null;

    [GeneratedRegex("^[a-z0-9_.]+$", RegexOptions.CultureInvariant)]
    private static partial Regex UsernamePattern();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();
}
