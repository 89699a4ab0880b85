using FoodCommunity.Api.Comments;
using FoodCommunity.Api.Likes;
using FoodCommunity.Api.Posts;
using FoodCommunity.Api.Users;
using FoodCommunity.Domain.Posts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace FoodCommunity.Api.Infrastructure.Data.Configurations;

internal sealed class CommentConfiguration : IEntityTypeConfiguration<Comment>
{
    public void Configure(EntityTypeBuilder<Comment> builder)
    {
        builder.ToTable("comments");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).ValueGeneratedNever();
        builder.Property(c => c.Text).HasMaxLength(PostRules.CommentMaxLength).IsRequired();
        builder.Property(c => c.CreatedAt).HasPrecision(6);
        // A post's comments, oldest first: a range of (post_id, id).
        builder.HasIndex(c => new { c.PostId, c.Id });
        builder.HasOne<Post>().WithMany().HasForeignKey(c => c.PostId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<User>().WithMany().HasForeignKey(c => c.AuthorId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class FollowConfiguration : IEntityTypeConfiguration<Follow>
{
    public void Configure(EntityTypeBuilder<Follow> builder)
    {
        builder.ToTable("follows");
        builder.HasKey(f => new { f.FollowerId, f.FolloweeId });
        builder.Property(f => f.CreatedAt).HasPrecision(6);
        // Newest first, for both lists: whom I follow, and who follows me.
        builder.HasIndex(f => new { f.FollowerId, f.CreatedAt, f.FolloweeId });
        builder.HasIndex(f => new { f.FolloweeId, f.CreatedAt, f.FollowerId });
        builder.HasOne<User>().WithMany().HasForeignKey(f => f.FollowerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<User>().WithMany().HasForeignKey(f => f.FolloweeId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class PostLikeConfiguration : IEntityTypeConfiguration<PostLike>
{
    public void Configure(EntityTypeBuilder<PostLike> builder)
    {
        builder.ToTable("post_likes");
        // No foreign key to posts: the write-behind flusher may apply a like after its post was
        // deleted, and skips such rows itself rather than failing a whole batch.
        builder.HasKey(l => new { l.PostId, l.UserId });
        builder.HasIndex(l => new { l.UserId, l.PostId });
        builder.Property(l => l.CreatedAt).HasPrecision(6);
    }
}

internal sealed class LikeCheckpointConfiguration : IEntityTypeConfiguration<LikeCheckpoint>
{
    public void Configure(EntityTypeBuilder<LikeCheckpoint> builder)
    {
        builder.ToTable("like_flush_checkpoints");
        builder.HasKey(c => c.Shard);
        builder.Property(c => c.Shard).ValueGeneratedNever();
        builder.Property(c => c.LastEventId).HasMaxLength(41).IsRequired().IsUnicode(false);
        builder.Property(c => c.UpdatedAt).HasPrecision(6);
    }
}
