using System.Globalization;
using System.Text;

namespace FoodCommunity.Domain.Text;

/// <summary>
/// How user-written text is accepted: its length is bounded before any other work is done on it,
/// then it is trimmed and NFC-normalised, so "é" typed as one code point or as e + U+0301 (as macOS
/// and some Korean input methods send Hangul jamo) is stored, compared and searched as one thing.
/// </summary>
public static class TextRules
{
    /// <summary>
    /// Decomposed input is at most this many times longer than its NFC form (a Hangul syllable sent as
    /// three jamo), so raw text longer than this many times a limit is refused before anything else.
    /// </summary>
    public const int MaxDecompositionFactor = 3;

    /// <summary>
    /// The text as stored: trimmed and NFC-normalised; null when it is longer than
    /// <paramref name="maxLength"/>. Raw text that cannot fit whatever its form is refused first, so
    /// an oversized field costs no more than a length check.
    /// </summary>
    public static string? Normalize(string raw, int maxLength)
    {
        if (raw.Length > MaxDecompositionFactor * maxLength)
        {
            return null;
        }

        var trimmed = raw.Trim();
        var normalized = trimmed.IsNormalized(NormalizationForm.FormC) ? trimmed : trimmed.Normalize(NormalizationForm.FormC);
        return normalized.Length > maxLength ? null : normalized;
    }

    /// <summary>
    /// An identifier (username, e-mail address) as compared: NFKC (full-width letters from an IME
    /// become ASCII), trimmed and lower-case; null when it is longer than <paramref name="maxLength"/>.
    /// </summary>
    public static string? NormalizeIdentifier(string raw, int maxLength)
    {
        if (raw.Length > MaxDecompositionFactor * maxLength)
        {
            return null;
        }

        var trimmed = raw.Trim();
        var normalized = (trimmed.IsNormalized(NormalizationForm.FormKC) ? trimmed : trimmed.Normalize(NormalizationForm.FormKC)).ToLowerInvariant();
        return normalized.Length > maxLength ? null : normalized;
    }

    /// <summary>
    /// True for characters that change how the text around them is shown rather than being shown:
    /// controls, and format characters such as the bidi overrides (U+202E makes "gpj.exe" read
    /// "exe.jpg"), zero-width spaces and soft hyphens. Zero-width (non-)joiners stay allowed:
    /// emoji sequences (👩‍🍳) and some scripts need them.
    /// </summary>
    public static bool IsInvisibleControl(Rune rune) =>
        Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.Control => true,
            UnicodeCategory.Format => rune.Value is not (0x200C or 0x200D),
            _ => false,
        };

    public static bool ContainsInvisibleControl(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            if (IsInvisibleControl(rune))
            {
                return true;
            }
        }

        return false;
    }
}
