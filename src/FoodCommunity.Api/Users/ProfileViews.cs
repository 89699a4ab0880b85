using FoodCommunity.Api.Infrastructure.Storage;

namespace FoodCommunity.Api.Users;

/// <summary>
/// Profiles of many users as the caller sees them, with no SQL once warm: the cards from the cache and
/// "followed by me" asked of the caller's <see cref="FollowingSet"/> for these users only. Users hidden from the caller (blocks,
/// see <see cref="BlockList"/>) are left out, as if they did not exist.
/// </summary>
public sealed class ProfileViews(ProfileCards cards, FollowingSet following, PublicUrls urls)
{
    /// <remarks><c>fresh</c>: The caller wrote a moment ago: read past this instance's memory.</remarks>
    public async Task<Dictionary<Guid, Profile>> LoadAsync(
        IReadOnlyCollection<Guid> userIds, Guid? callerId, IReadOnlySet<Guid> hidden, bool fresh, CancellationToken cancellationToken)
    {
        if (hidden.Count > 0)
        {
            userIds = userIds.Where(id => !hidden.Contains(id)).ToList();
        }

        if (userIds.Count == 0)
        {
            return [];
        }

        var followedRead = following.AmongAsync(callerId, userIds, cancellationToken);
        var found = await cards.GetManyAsync(userIds, fresh, cancellationToken);
        var followed = await followedRead;
        return found.Values.ToDictionary(card => card.Id, card => card.ToProfile(followed.Contains(card.Id), urls));
    }
}
