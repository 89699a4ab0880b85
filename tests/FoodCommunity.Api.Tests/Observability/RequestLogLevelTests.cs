using FoodCommunity.Api.Infrastructure.Observability;
using Microsoft.AspNetCore.Http;
using Serilog.Events;

namespace FoodCommunity.Api.Tests.Observability;

public sealed class RequestLogLevelTests
{
    [Theory]
    [InlineData(200, 12.0, false, LogEventLevel.Debug)]
    [InlineData(204, 499.0, false, LogEventLevel.Debug)]
    [InlineData(200, 501.0, false, LogEventLevel.Warning)]
    [InlineData(404, 3.0, false, LogEventLevel.Information)]
    [InlineData(429, 3.0, false, LogEventLevel.Information)]
    [InlineData(503, 3.0, false, LogEventLevel.Error)]
    [InlineData(200, 3.0, true, LogEventLevel.Error)]
    public void FastSuccessesAreDebug_WhatAnOperatorLooksForIsNot(int status, double milliseconds, bool threw, LogEventLevel expected)
    {
        var context = new DefaultHttpContext();
        context.Response.StatusCode = status;

        Assert.Equal(expected, RequestLogLevel.For(context, milliseconds, threw ? new InvalidOperationException() : null));
    }
}
