import { Injectable } from "@nestjs/common";
import { InjectRepository } from "@nestjs/typeorm";
import { DataSource, Repository } from "typeorm";
import slugify from "slugify";
import { ArticleEntity } from "./article.entity";
import { UserEntity } from "../user/user.entity";

export interface ArticleQuery { tag?: string; author?: string; favorited?: string; limit?: string; offset?: string }

@Injectable()
export class ArticleService {
  constructor(
    @InjectRepository(ArticleEntity) private readonly articleRepository: Repository<ArticleEntity>,
    @InjectRepository(UserEntity) private readonly userRepository: Repository<UserEntity>,
    private readonly dataSource: DataSource,
  ) {}

  async findAll(query: ArticleQuery) {
    const qb = this.dataSource.getRepository(ArticleEntity).createQueryBuilder("article")
      .leftJoinAndSelect("article.author", "author");
    qb.where("1 = 1");
    if ("tag" in query) {
      qb.andWhere("article.tagList LIKE :tag", { tag: `%${query.tag}%` });
    }
    if ("author" in query) {
      const author = await this.userRepository.findOne({ where: { username: query.author } });
      qb.andWhere("article.authorId = :id", { id: author?.id });
    }
    qb.orderBy("article.created", "DESC");
    if ("limit" in query) qb.limit(Number(query.limit));
    if ("offset" in query) qb.offset(Number(query.offset));
    return { articles: await qb.getMany(), articlesCount: await qb.getCount() };
  }

  async findOne(slug: string) {
    return this.articleRepository.findOne({ where: { slug } });
  }

  async create(userId: number, data: { title: string; body: string; tagList: string[] }) {
    const article = this.articleRepository.create({ ...data, slug: this.slugify(data.title) });
    article.author = (await this.userRepository.findOne({ where: { id: userId } }))!;
    return this.articleRepository.save(article);
  }

  async delete(slug: string) {
    return this.articleRepository.delete({ slug });
  }

  slugify(title: string) {
    return slugify(title, { lower: true }) + "-" + ((Math.random() * Math.pow(36, 6)) | 0).toString(36);
  }
}
