import { Column, Entity, ManyToOne, PrimaryGeneratedColumn } from "typeorm";
import { UserEntity } from "../user/user.entity";

@Entity("article")
export class ArticleEntity {
  @PrimaryGeneratedColumn() id: number;
  @Column() slug: string;
  @Column() title: string;
  @Column({ default: "" }) body: string;
  @Column("simple-array") tagList: string[];
  @ManyToOne(() => UserEntity, (user) => user.articles) author: UserEntity;
}
