import { Injectable } from "@nestjs/common";
import * as _ from "lodash";

@Injectable()
export class ComponentsService {
  private readonly defaults = { isAdmin: false, name: "guest" };

  mergeObjects(input: unknown): unknown {
    return _.merge({}, this.defaults, input);
  }
}
