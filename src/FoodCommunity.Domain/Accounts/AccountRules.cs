using System.Text.RegularExpressions;
using FoodCommunity.Domain.Text;

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

    /// <summary>How many accounts one user may follow (Instagram's figure): bounds home-feed fan-in and follow spam.</summary>
    public const int MaxFollowing = 7500;

    /// <summary>
    /// Usernames are stored lower-case, so "Alice" and "alice" are one account. Mobile keyboards
    /// capitalise the first letter, so input is lower-cased rather than refused. Null when too long.
    /// </summary>
    public static string? NormalizeUsername(string username) => TextRules.NormalizeIdentifier(username, UsernameMaxLength);

    /// <summary>The address as compared at sign-up, sign-in and reset (case and Unicode folded); null when too long.</summary>
    public static string? NormalizeEmail(string email) => TextRules.NormalizeIdentifier(email, EmailMaxLength);

    /// <summary>People search takes at most this many characters.</summary>
    public const int SearchQueryMaxLength = 50;

    /// <summary>A folded search term is at most this long (a display name in decomposed form).</summary>
    public const int SearchTermMaxLength = 200;

    /// <summary>
    /// A name as people search compares it: compatibility-decomposed (full-width letters become ASCII,
    /// Hangul syllables their jamo, so "기" finds "김치" while the name is being typed), without
    /// combining marks (so "cafe" finds "Café"), lower-case. Null when longer than a display name can be.
    /// </summary>
    public static string? FoldForSearch(string text)
    {
        if (text.Length > TextRules.MaxDecompositionFactor * DisplayNameMaxLength)
        {
            return null;
        }

        var decomposed = text.Trim().Normalize(System.Text.NormalizationForm.FormKD);
        var folded = new System.Text.StringBuilder(decomposed.Length);
        foreach (var rune in decomposed.EnumerateRunes())
        {
            if (System.Text.Rune.GetUnicodeCategory(rune) is not (System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.EnclosingMark))
            {
                folded.Append(System.Text.Rune.ToLowerInvariant(rune).ToString());
            }
        }

        return folded.Length > SearchTermMaxLength ? folded.ToString()[..SearchTermMaxLength] : folded.ToString();
    }

    /// <summary>A sign-in name (username or e-mail address) as compared; null when longer than any address.</summary>
    public static string? NormalizeLogin(string login) => TextRules.NormalizeIdentifier(login, EmailMaxLength);

    /// <summary>Checks an already normalised username (null: too long); null when it is acceptable.</summary>
    public static string? DescribeUsernameProblem(string? normalized) => normalized?.Length switch
    {
        null or < UsernameMinLength or > UsernameMaxLength =>
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
    /// Takes the normalised address (null: too long).
    /// </summary>
    public static string? DescribeEmailProblem(string? normalized) =>
        normalized is not null && EmailPattern().IsMatch(normalized)
            ? null
            : "Enter a valid e-mail address.";

    /// <summary>A display name as stored (trimmed, NFC); null when too long.</summary>
    public static string? NormalizeDisplayName(string displayName) => TextRules.Normalize(displayName, DisplayNameMaxLength);

    /// <summary>
    /// Checks a normalised display name (null: too long). Invisible controls are refused: a bidi
    /// override in a name makes it read differently from what it is (impersonation, spoofed text).
    /// </summary>
    public static string? DescribeDisplayNameProblem(string? normalized) =>
        normalized is not { Length: > 0 } || TextRules.ContainsInvisibleControl(normalized)
            ? $"A display name has 1 to {DisplayNameMaxLength} characters, without control or formatting characters."
            : null;

    /// <summary>A bio as stored (trimmed, NFC); null when too long.</summary>
    public static string? NormalizeBio(string bio) => TextRules.Normalize(bio, BioMaxLength);

    public static string? DescribeBioProblem(string? normalized) =>
        normalized is null ? $"A bio has at most {BioMaxLength} characters." : null;

    [GeneratedRegex("^[a-z0-9_.]+$", RegexOptions.CultureInvariant)]
    private static partial Regex UsernamePattern();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();
}
