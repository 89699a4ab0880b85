/** The API's JSON shapes (../shared/API.md). Optional fields are those the API does not send yet. */
export interface Profile {
  id: string;
  username: string;
  displayName: string;
  bio: string;
  avatarUrl: string | null;
  postCount: number;
  followerCount: number;
  followingCount: number;
  followedByMe: boolean;
}

export interface ImageVariant {
  width: number;
  height: number;
  url: string;
}

export interface Image {
  key: string;
  url: string;
  /** Sent once image processing exists; until then only url. */
  width?: number;
  height?: number;
  variants?: ImageVariant[];
}

export interface Post {
  id: string;
  author: Profile;
  images: Image[];
  caption: string;
  tags: string[];
  likeCount: number;
  commentCount: number;
  likedByMe: boolean;
  createdAt: string;
  editedAt?: string | null;
  /** True only in the author's own view of a post a moderator hid. */
  hidden?: boolean;
}

export interface Comment {
  id: string;
  postId: string;
  author: Profile;
  text: string;
  createdAt: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface LikeResponse {
  postId: string;
  liked: boolean;
  likeCount: number;
}
