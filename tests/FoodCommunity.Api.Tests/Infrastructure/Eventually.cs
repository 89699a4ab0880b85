namespace FoodCommunity.Api.Tests.Infrastructure;

/// <summary>
/// Waiting for what happens in the background (a flush, a deletion, a monitor's first answer):
/// ask until the answer is the awaited one or the time is up, and let the caller assert on the last answer.
/// </summary>
public static class Eventually
{
    public static async Task<T> AnswerAsync<T>(Func<Task<T>> ask, Func<T, bool> done, TimeSpan timeout, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var answer = await ask();
            if (done(answer) || DateTime.UtcNow > deadline)
            {
                return answer;
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(200), TestContext.Current.CancellationToken);
        }
    }
}
