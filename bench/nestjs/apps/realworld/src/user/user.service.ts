import { HttpException, HttpStatus, Injectable } from "@nestjs/common";
import { InjectRepository } from "@nestjs/typeorm";
import { Repository } from "typeorm";
import * as argon2 from "argon2";
import * as jwt from "jsonwebtoken";
import { SECRET } from "../config";
import { UserEntity } from "./user.entity";

@Injectable()
export class UserService {
  constructor(@InjectRepository(UserEntity) private readonly userRepository: Repository<UserEntity>) {}

  async findOne(email: string, password: string) {
    const user = await this.userRepository.findOne({ where: { email } });
    if (!user || !(await argon2.verify(user.password, password))) return null;
    return user;
  }

  async create(username: string, email: string, password: string) {
    const exists = await this.userRepository.createQueryBuilder("user")
      .where("user.username = :username", { username }).orWhere("user.email = :email", { email }).getOne();
    if (exists) throw new HttpException({ message: "Input data validation failed" }, HttpStatus.BAD_REQUEST);
    const user = this.userRepository.create({ username, email, password });
    return this.userRepository.save(user);
  }

  async findById(id: number) {
    return this.userRepository.findOne({ where: { id } });
  }

  generateJWT(user: UserEntity) {
    return jwt.sign({ id: user.id, username: user.username, email: user.email }, SECRET, { expiresIn: "60d" });
  }
}
